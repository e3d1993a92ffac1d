# One base for everything (UDEF004): the test stage adds dev tools on top of the runtime base.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# git: the audit lists files with `git ls-files` and reads history with `git log`.
RUN apt-get update && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY rules ./rules
COPY src ./src
RUN pip install .

# Test stage: dev tools from the dev lock, then the whole checkout (.dockerignore leaves out
# environments and caches): the tests read the docs, the Action, the changelog and the
# fixture repositories, and the pre-commit test lists this work tree with git.
FROM base AS test
COPY requirements-dev.lock ./
RUN pip install -r requirements-dev.lock
COPY . .
CMD ["python", "-m", "pytest", "-q"]

# Runtime stage: the installed command, run as a non-root user on a mounted repository.
FROM base AS runtime
RUN useradd --create-home --uid 1000 auditor
USER auditor
# A mounted repository belongs to another uid; let git list its files anyway.
RUN git config --global --add safe.directory '*'
WORKDIR /repo
ENTRYPOINT ["udef-audit"]
CMD ["."]
