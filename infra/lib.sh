# Shared paths and versions for the infra scripts. Sourced, not run.
# What sohoa installs or starts lives under $SOHOA_CACHE (ignored by git), except what the Elasticsearch
# user must reach: that lives under $SOHOA_SYSTEM_DIR (see "Elasticsearch's own user" below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOHOA_CACHE="${SOHOA_CACHE:-$ROOT/.cache}"
RUN_DIR="${SOHOA_RUN_DIR:-$SOHOA_CACHE/run}"  # a second set of servers (fault tests) uses another
BIN_DIR="$SOHOA_CACHE/bin"
VENV="${SOHOA_VENV:-$ROOT/.venv}"

# Elasticsearch's own user. ES refuses to run as root, so root runs it as the system user sohoa-es. That
# user cannot enter a checkout in a 0700 home folder (root's, on Debian), and we do not loosen anyone's
# home: the distribution (read-only, shared by all checkouts, one folder per version) and each run dir's
# config copy, data, logs and temp files live under SOHOA_SYSTEM_DIR. A non-root user runs ES as itself,
# with everything under its own .cache/.
if [ "$(id -u)" -eq 0 ]; then
  SOHOA_SYSTEM_DIR="${SOHOA_SYSTEM_DIR:-/var/lib/sohoa}"
else
  SOHOA_SYSTEM_DIR="${SOHOA_SYSTEM_DIR:-$SOHOA_CACHE/system}"
fi
ES_VERSION="${SOHOA_ES_VERSION:-9.2.4}"
ES_HOME="$SOHOA_SYSTEM_DIR/es/elasticsearch-$ES_VERSION"
ES_USER="${SOHOA_ES_USER:-sohoa-es}"
ES_JAVA_HOME="${ES_JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* 2>/dev/null | head -1)}"

VERSITYGW_VERSION="${SOHOA_VERSITYGW_VERSION:-v1.8.0}"
VERSITYGW="$BIN_DIR/versitygw-$VERSITYGW_VERSION"

# MinIO (AGPL-3.0): a test server for the production policies, built from the Go module proxy, never shipped.
MINIO_VERSION="${SOHOA_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
MINIO="$BIN_DIR/minio-$MINIO_VERSION"

# veraPDF validates the PDF/A derivatives: one self-contained jar from Maven Central, run on Java 17.
VERAPDF_VERSION="${SOHOA_VERAPDF_VERSION:-1.30.2}"
VERAPDF_JAR="$SOHOA_CACHE/verapdf/verapdf-cli-$VERAPDF_VERSION.jar"

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils qpdf unpaper ghostscript
  fonts-liberation2 fonts-dejavu-core
  wamerican  # English words for the OCR reading-quality score (ocr/quality.py)
  chromium chromium-driver)  # the browser tests of the web application (tests/test_web_browser.py)

log() { printf '\033[1;34m[sohoa]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[sohoa] error:\033[0m %s\n' "$*" >&2; exit 1; }
