# One Rasa server replica (README, "Scale-out"): `python -m bot.serving run` through
# scripts/rasa-server.sh, the same entry point as every other way of starting it.
# Built from the repository root:  docker build -f deploy/docker/rasa.Dockerfile -t pmo-rasa .
# Not built on the project's machines (no container engine there); checked with hadolint
# and described by deploy/compose.yaml (tests/frontdoor/test_deploy.py).

# --- the model, trained from this commit (no training cache: see Makefile) ---
FROM python:3.10.13-slim-bookworm AS train
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 RASA_TELEMETRY_ENABLED=false \
    RASA_MAX_CACHE_SIZE=0 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock
COPY bot/ bot/
COPY actions/ actions/
COPY data/ data/
COPY config.yml domain.yml ./
RUN rasa train --fixed-model-name pmo --out models

# --- the server ---
FROM python:3.10.13-slim-bookworm
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 \
    PYTHON_BIN=python RASA_INTERFACE=0.0.0.0 RASA_PORT=5005 \
    RASA_MODEL=models/pmo.tar.gz RASA_ENDPOINTS=endpoints.production.yml RASA_CREDENTIALS=credentials.yml
WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock \
    && useradd --system --uid 10001 --home-dir /app rasa
COPY bot/ bot/
COPY scripts/rasa-server.sh scripts/frontdoor.sh scripts/
COPY endpoints.production.yml credentials.yml domain.yml ./
COPY --from=train /app/models/pmo.tar.gz models/pmo.tar.gz
USER 10001
EXPOSE 5005
# GET / answers once the model is loaded (about a minute): what the front door checks too.
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:5005/', timeout=2)"]
CMD ["scripts/rasa-server.sh"]
