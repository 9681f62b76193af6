# The action server (README, "Scale-out"), on the same pinned requirements as the replicas.
# Built from the repository root:  docker build -f deploy/docker/actions.Dockerfile -t pmo-actions .
# Not built on the project's machines (no container engine there); checked with hadolint.
FROM python:3.10.13-slim-bookworm
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 \
    SANIC_HOST=0.0.0.0
WORKDIR /app
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock \
    && useradd --system --uid 10001 --home-dir /app actions
COPY bot/ bot/
COPY actions/ actions/
COPY domain.yml ./
USER 10001
EXPOSE 5055
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:5055/health', timeout=2)"]
CMD ["rasa", "run", "actions", "--actions", "actions", "--port", "5055"]
