# The application image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system app && useradd --system --gid app --home-dir /app app

# Every dependency from the lock file, checked against its hashes; the layer is reused until
# the lock changes.
COPY requirements ./requirements
RUN pip install --require-hashes -r requirements/base.txt

COPY pyproject.toml README.md ./
COPY core ./core
COPY notifications ./notifications
COPY people ./people
COPY firewall ./firewall
COPY programs ./programs
COPY pairings ./pairings
COPY confidentiality ./confidentiality
COPY reviews ./reviews
COPY reports ./reports
COPY mentoring ./mentoring
COPY demo ./demo
COPY benchmarks ./benchmarks
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-deps --no-build-isolation . \
    # Static files are collected at build time; the key only lets settings load here.
    && SECRET_KEY=collectstatic-only NOTE_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLWtleS0xMjM= \
       DEBUG=0 python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/beat && chown -R app:app /app/media /app/beat

USER app
EXPOSE 8000
CMD ["gunicorn", "mentoring.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
