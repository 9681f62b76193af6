/* PMO Learning chat widget loader: one <script> tag on any page.
 *   <script src="/pmo-chat/pmo-chat.js" data-socket-url="https://chat.example.com" defer></script>
 * Loads the fonts and rasa-webchat from the folder this file is served from
 * (nothing from a CDN or Google Fonts) and opens a socket.io session with the
 * Rasa server at data-socket-url (default: this page's origin). */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = me.src.replace(/[^/]*(\?.*)?$/, "");
  var socketUrl = me.getAttribute("data-socket-url") || window.location.origin;

  var fonts = document.createElement("link");
  fonts.rel = "stylesheet";
  fonts.href = base + "inter.css";
  document.head.appendChild(fonts);

  var bundle = document.createElement("script");
  bundle.src = base + "webchat.js";
  bundle.onload = function () {
    window.WebChat.default({
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      initPayload: "/greet",
      title: "PMO Learning",
      subtitle: "PMO roles, careers and courses",
      inputTextFieldHint: "Ask about a PMO role or course",
      params: { storage: "local" },
      customMessageDelay: function () { return 250; },
      showMessageDate: false
    }, null);
  };
  document.head.appendChild(bundle);
})();
