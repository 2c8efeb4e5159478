# One image for every stage; the command picks the stage (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY services ./services
RUN pip install .
COPY seeds ./seeds
RUN useradd --create-home wirestream && mkdir -p /data/state /data/inbox \
    && chown -R wirestream /data
USER wirestream
ENV WIRESTREAM_STATE_DIR=/data/state
CMD ["wirestream", "--help"]
