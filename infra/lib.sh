# Shared paths and versions for the infra scripts. Sourced, not run.
# Everything installed or started lives under $SOHOA_CACHE (ignored by git) so a checkout is self-contained.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOHOA_CACHE="${SOHOA_CACHE:-$ROOT/.cache}"
RUN_DIR="${SOHOA_RUN_DIR:-$SOHOA_CACHE/run}"  # a second set of servers (fault tests) uses another
BIN_DIR="$SOHOA_CACHE/bin"
VENV="${SOHOA_VENV:-$ROOT/.venv}"

ES_VERSION="${SOHOA_ES_VERSION:-9.2.4}"
ES_HOME="$SOHOA_CACHE/es/elasticsearch-$ES_VERSION"
ES_USER="${SOHOA_ES_USER:-sohoa-es}"
ES_JAVA_HOME="${ES_JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-* 2>/dev/null | head -1)}"

VERSITYGW_VERSION="${SOHOA_VERSITYGW_VERSION:-v1.8.0}"
VERSITYGW="$BIN_DIR/versitygw-$VERSITYGW_VERSION"

# veraPDF validates the PDF/A derivatives: one self-contained jar from Maven Central, run on Java 17.
VERAPDF_VERSION="${SOHOA_VERAPDF_VERSION:-1.30.2}"
VERAPDF_JAR="$SOHOA_CACHE/verapdf/verapdf-cli-$VERAPDF_VERSION.jar"

APT_PACKAGES=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils qpdf unpaper ghostscript
  fonts-liberation2 fonts-dejavu-core wamerican)

log() { printf '\033[1;34m[sohoa]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[sohoa] error:\033[0m %s\n' "$*" >&2; exit 1; }
