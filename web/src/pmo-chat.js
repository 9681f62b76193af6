/* PMO Learning chat widget loader: one <script> tag on any page.
 *
 *   <script src="/pmo-chat/pmo-chat.js" data-socket-url="https://chat.example.com"
 *           data-color="#1d3557" data-title="PMO Learning" defer></script>
 *
 * Loads the fonts and rasa-webchat 1.0.1 from the folder this file is served from
 * (nothing from a CDN or Google Fonts) and opens a socket.io session with the Rasa
 * server. The host site's brand and policy come from data-* attributes (README,
 * "Embedding it in a website"); every one is optional:
 *
 *   data-socket-url       the Rasa server (default: this page's origin)
 *   data-color            brand colour, #rgb or #rrggbb (default PMO Learning's navy #1d3557)
 *   data-title            header title (default "PMO Learning")
 *   data-subtitle         header subtitle
 *   data-avatar           URL of the assistant's picture (http(s), or a path on the site)
 *   data-opening-message  shown instead of the assistant's own greeting text (its buttons stay)
 *   data-privacy-url      the privacy page linked from the notice (default: privacy.html beside this file)
 *   data-retention-days   how long conversations are kept, for the notice (default 365, PMO_RETENTION_DAYS)
 *
 * rasa-webchat ships no labels for its launcher, input and buttons, and its quick
 * replies cannot be reached with the keyboard; the page code below adds both. It also
 * adds the privacy notice above the greeting, a "clear conversation" button, and a
 * thumbs up/down under each answer, sent as the socket.io event "pmo_feedback".
 *
 * Over 300 lines on purpose: it is the one file a website copies and embeds, so the
 * theme, the accessibility fixes, privacy and feedback live together, without a build step.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = me.src.replace(/[^/]*(\?.*)?$/, "");
  var NAVY = "#1d3557";
  var STORAGE_KEY = "chat_session"; // rasa-webchat's own key (params.storage "local")
  var RATINGS_KEY = "pmo_chat_ratings";
  var FEEDBACK_EVENT = "pmo_feedback";
  var MAX_ANSWER_CHARS = 5000;

  function attr(name, fallback) {
    var value = me.getAttribute("data-" + name);
    return value !== null && value.trim() !== "" ? value.trim() : fallback;
  }

  function colour(value) {
    if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) {
      return value.length === 4 ? "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3] : value;
    }
    console.warn("pmo-chat: data-color must look like #1d3557; using the default");
    return NAVY;
  }

  function safeUrl(value, fallback) {
    if (!value) return fallback;
    try {
      var url = new URL(value, window.location.href);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href;
    } catch (e) { /* fall through */ }
    console.warn("pmo-chat: ignoring a data-* URL that is not http(s)");
    return fallback;
  }

  /* Relative luminance (WCAG) of #rrggbb. */
  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  var days = parseInt(attr("retention-days", "365"), 10);
  var settings = {
    socketUrl: attr("socket-url", window.location.origin),
    brand: colour(attr("color", NAVY)),
    title: attr("title", "PMO Learning"),
    subtitle: attr("subtitle", "PMO roles, careers and courses"),
    avatar: safeUrl(attr("avatar", ""), undefined),
    opening: attr("opening-message", ""),
    privacyUrl: safeUrl(attr("privacy-url", ""), base + "privacy.html"),
    retentionDays: days > 0 ? days : 365
  };
  // Text on the brand colour, and the brand as text on white: whichever reads (WCAG AA).
  var light = luminance(settings.brand) > 0.179;
  var onBrand = light ? "#1d2433" : "#ffffff";
  var brandText = luminance(settings.brand) > 0.18 ? "#1d2433" : settings.brand;

  var fonts = document.createElement("link");
  fonts.rel = "stylesheet";
  fonts.href = base + "inter.css";
  document.head.appendChild(fonts);

  var theme = document.createElement("style");
  theme.textContent = [
    ".rw-launcher, .rw-conversation-container .rw-header, .rw-conversation-container .rw-close-button",
    "  { background-color: BRAND !important; color: ON !important; }",
    ".rw-conversation-container .rw-header .rw-title, .rw-conversation-container .rw-header span",
    "  { color: ON !important; }",
    ".rw-conversation-container .rw-client { background-color: BRAND !important; color: ON !important; }",
    ".rw-conversation-container .rw-client a { color: ON !important; }",
    ".rw-conversation-container .rw-reply { background-color: BRAND !important; border-color: BRAND !important;",
    "  color: ON !important; }",
    ".rw-conversation-container .rw-reply:focus-visible, .rw-launcher:focus-visible,",
    ".pmo-chat-tools button:focus-visible, .pmo-rate button:focus-visible, .rw-send:focus-visible",
    "  { outline: 3px solid #f4a261 !important; outline-offset: 2px; }",
    ".rw-conversation-container .rw-send-icon { fill: BRAND !important; }",
    ".rw-conversation-container .rw-send:disabled .rw-send-icon { fill: #6b7280 !important; }",
    ".rw-conversation-container .rw-response a { color: TEXT; }",
    ".rw-conversation-container .rw-new-message::placeholder { color: #5f6673; }",
    ".rw-conversation-container .rw-header-buttons { top: 50%; transform: translateY(-50%); align-items: center; }",
    ".pmo-chat-tools { display: flex; align-items: center; }",
    ".pmo-chat-tools button { font: 500 12px Inter, system-ui, sans-serif; color: ON; background: transparent;",
    "  border: 1px solid ON; border-radius: 12px; padding: 3px 8px; cursor: pointer; }",
    ".pmo-privacy { font: 12px/1.4 Inter, system-ui, sans-serif; color: #4b5260; margin: 4px 8px 10px;",
    "  padding: 6px 8px; background: #f4f7f9; border-radius: 6px; }",
    ".pmo-privacy a { color: TEXT; }",
    ".rw-conversation-container .rw-message { flex-wrap: wrap; }",
    ".pmo-rate { display: flex; flex-basis: 100%; gap: 4px; align-items: center; margin: 3px 0 6px 0; }",
    ".rw-with-avatar .pmo-rate { margin-left: 23px; }",
    ".pmo-rate button { background: transparent; border: 1px solid #c4c9d2; border-radius: 12px; width: 30px;",
    "  height: 24px; padding: 0; cursor: pointer; color: #4b5260; line-height: 0; }",
    ".pmo-rate button svg { width: 14px; height: 14px; fill: currentColor; }",
    ".pmo-rate button.pmo-down svg { transform: rotate(180deg); }",
    ".pmo-rate button[aria-pressed='true'] { background: BRAND; border-color: BRAND; color: ON; }",
    ".pmo-rate-status { font: 11px Inter, system-ui, sans-serif; color: #4b5260; }"
  ].join("\n").replace(/BRAND/g, settings.brand).replace(/ON/g, onBrand).replace(/TEXT/g, brandText);
  document.head.appendChild(theme);

  // Material Design "thumb up" icon (Apache License 2.0); the "down" one is it turned over.
  var THUMB = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M1 21h4V9H1v12zm22-11c0-1.1' +
    '-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 ' +
    '2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z"/></svg>';

  var socket = null; // rasa-webchat's socket.io connection (captured on "connect")
  var mount = null;
  var generation = 0;
  var awaitingGreeting = false;

  function stored() {
    try {
      return JSON.parse(window.localStorage.getItem(STORAGE_KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  function ratings() {
    try {
      return JSON.parse(window.localStorage.getItem(RATINGS_KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  /* The texts of the assistant's messages, in the order the widget draws them. */
  function answerTexts() {
    return (stored().conversation || []).filter(function (m) {
      return m && m.sender === "response" && typeof m.text === "string";
    }).map(function (m) { return m.text; });
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") node.textContent = props[key];
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function label(node, text) {
    if (node && node.getAttribute("aria-label") !== text) node.setAttribute("aria-label", text);
  }

  function rate(button, status, index, rating) {
    var texts = answerTexts();
    var session = stored().session_id;
    if (!socket || !socket.connected || !session || typeof texts[index] !== "string") {
      status.textContent = "Not sent: not connected";
      return;
    }
    status.textContent = "Sending\u2026";
    socket.emit(FEEDBACK_EVENT, {
      session_id: session, rating: rating, answer: texts[index].slice(0, MAX_ANSWER_CHARS)
    }, function (ack) {
      if (ack && ack.ok) {
        var group = button.parentNode;
        group.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
        button.setAttribute("aria-pressed", "true");
        status.textContent = "Thanks for the feedback";
        var saved = ratings();
        saved[session + ":" + index] = rating;
        window.localStorage.setItem(RATINGS_KEY, JSON.stringify(saved));
      } else {
        status.textContent = "Not saved";
      }
    });
  }

  function thumbs(index) {
    var saved = ratings()[stored().session_id + ":" + index];
    var status = el("span", { "class": "pmo-rate-status", role: "status" });
    var group = el("div", { "class": "pmo-rate", role: "group", "aria-label": "Was this answer helpful?" });
    [["up", "Helpful"], ["down", "Not helpful"]].forEach(function (pair) {
      var button = el("button", { type: "button", "class": "pmo-" + pair[0], "aria-label": pair[1],
        "aria-pressed": saved === pair[0] ? "true" : "false", "data-rating": pair[0] });
      button.innerHTML = THUMB;
      button.addEventListener("click", function () { rate(button, status, index, pair[0]); });
      group.appendChild(button);
    });
    group.appendChild(status);
    return group;
  }

  function clearConversation() {
    [window.localStorage, window.sessionStorage].forEach(function (storage) {
      storage.removeItem(STORAGE_KEY);
      storage.removeItem(RATINGS_KEY);
    });
    if (socket) socket.disconnect();
    socket = null;
    start(true);
  }

  /* Labels, keyboard access, the notice, the clear button and the thumbs (idempotent). */
  function decorate() {
    var root = mount;
    if (!root) return;
    var open = !!root.querySelector(".rw-chat-open");
    root.querySelectorAll(".rw-launcher").forEach(function (b) {
      label(b, open ? "Close the chat" : "Open the chat with " + settings.title + "'s assistant");
      if (b.getAttribute("aria-expanded") !== String(open)) b.setAttribute("aria-expanded", String(open));
    });
    label(root.querySelector(".rw-close-button"), "Close the chat");
    label(root.querySelector(".rw-new-message"), "Your message");
    label(root.querySelector(".rw-send"), "Send");
    var title = root.querySelector(".rw-title");
    if (title && title.getAttribute("aria-level") !== "2") title.setAttribute("aria-level", "2"); // rasa-webchat's h4
    root.querySelectorAll(".rw-reply:not([tabindex])").forEach(function (reply) {
      reply.setAttribute("role", "button");
      reply.setAttribute("tabindex", "0");
    });
    var buttons = root.querySelector(".rw-header-buttons");
    if (buttons && !buttons.querySelector(".pmo-chat-tools")) {
      var clear = el("button", { type: "button", "class": "pmo-clear", text: "Clear",
        "aria-label": "Clear conversation: delete it from this browser and start again" });
      clear.addEventListener("click", clearConversation);
      buttons.insertBefore(el("div", { "class": "pmo-chat-tools" }, [clear]), buttons.firstChild);
    }
    var messages = root.querySelector(".rw-messages-container");
    if (!messages) return;
    if (messages.getAttribute("role") !== "log") {
      messages.setAttribute("role", "log");
      messages.setAttribute("aria-label", "Conversation");
      messages.setAttribute("tabindex", "0");
    }
    if (!messages.querySelector(".pmo-privacy")) {
      var link = el("a", { href: settings.privacyUrl, target: "_blank", rel: "noopener", text: "Privacy" });
      var notice = el("p", { "class": "pmo-privacy", role: "note" });
      notice.textContent = "We keep this conversation for up to " + settings.retentionDays +
        " days to answer you and improve the assistant; \u201cClear\u201d deletes it from this browser. ";
      notice.appendChild(link);
      messages.insertBefore(notice, messages.firstChild);
    }
    // A thumbs pair under each answer after the visitor's first message (not under the greeting).
    var seenVisitor = false;
    var index = 0;
    messages.querySelectorAll(".rw-client, .rw-response").forEach(function (bubble) {
      if (bubble.classList.contains("rw-client")) {
        seenVisitor = true;
        return;
      }
      if (bubble.closest(".rw-typing-indication")) return;
      var at = index++;
      var holder = bubble.parentNode;
      if (seenVisitor && holder && !holder.querySelector(".pmo-rate")) {
        holder.insertBefore(thumbs(at), bubble.nextSibling); // under the answer, above its quick replies
      }
    });
  }

  /* Quick replies that are divs: Enter or Space clicks them. */
  function onKey(event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.classList && target.classList.contains("rw-reply")) {
      event.preventDefault();
      target.click();
    }
  }

  function start(reopen) {
    generation += 1;
    awaitingGreeting = !(stored().conversation || []).length;
    window.WebChat.default({
      key: "pmo-chat-" + generation, // a new key: React mounts a new widget (and socket) after "Clear"
      socketUrl: settings.socketUrl,
      socketPath: "/socket.io/",
      initPayload: "/greet",
      title: settings.title,
      subtitle: settings.subtitle,
      profileAvatar: settings.avatar,
      inputTextFieldHint: "Ask about a PMO role or course",
      params: { storage: "local" },
      customMessageDelay: function () { return 250; },
      showMessageDate: false,
      onSocketEvent: {
        // socket.io calls a listener with the socket as `this`: the connection to rate over.
        connect: function () { socket = this; },
        // Runs before the widget's own listener: the host's opening message replaces the greeting's text.
        bot_uttered: function (message) {
          if (awaitingGreeting && settings.opening && message && typeof message.text === "string") {
            message.text = settings.opening;
          }
          awaitingGreeting = false;
        }
      }
    }, mount);
    if (reopen) { // the new widget starts closed: open it once it is drawn, and put the focus in it
      var tries = 0;
      var timer = window.setInterval(function () {
        var launcher = mount.querySelector(".rw-launcher");
        var drawn = launcher && launcher.offsetParent !== null;
        if (drawn && !mount.querySelector(".rw-chat-open")) launcher.click();
        if (!drawn && tries++ < 300) return;
        window.clearInterval(timer);
        window.setTimeout(function () {
          var input = mount.querySelector(".rw-new-message");
          if (input) input.focus();
        }, 300);
      }, 100);
    }
  }

  var bundle = document.createElement("script");
  bundle.src = base + "webchat.js";
  bundle.onload = function () {
    mount = el("div", { id: "pmo-chat", role: "region", "aria-label": settings.title + " chat" });
    document.body.appendChild(mount);
    new MutationObserver(decorate).observe(mount, { childList: true, subtree: true, attributes: true,
      attributeFilter: ["class"] });
    mount.addEventListener("keydown", onKey);
    start(false);
  };
  document.head.appendChild(bundle);
})();
