# One image for every stage; the command picks the stage (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY services ./services
RUN pip install .
# Build the GeoNames lookup index into the image (about 30 s), so a stage starts in seconds.
ENV WIRESTREAM_GAZETTEER_CACHE_DIR=/app/gazetteer
RUN python -c "from pathlib import Path; from services.entities.geonames import load_index; load_index(Path('/app/gazetteer'))"
COPY seeds ./seeds
RUN useradd --create-home wirestream && mkdir -p /data/state /data/inbox \
    && chown -R wirestream /data
USER wirestream
ENV WIRESTREAM_STATE_DIR=/data/state
CMD ["wirestream", "--help"]
