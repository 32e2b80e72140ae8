#!/usr/bin/env bash
# Install what sohoa needs, skipping whatever is already there (a second run downloads nothing).
#   infra/setup.sh [apt|python|es|s3|verapdf|all]...   (default: all)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup_apt() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
  log "apt: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup_python() {
  local stamp="$VENV/.sohoa-installed" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python >= 3.11 needed ($py is older)"
  [ -x "$VENV/bin/python" ] || { log "python: creating $VENV"; "$py" -m venv "$VENV"; }
  log "python: installing sohoa and its dependencies into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT[test]"
  echo "$want" >"$stamp"
}

setup_es() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Elasticsearch: apt-get install maven"
  log "es: fetching Elasticsearch $ES_VERSION (integ-test zip) from Maven Central"
  mkdir -p "$SOHOA_CACHE/es"
  # Run from the cache folder: the plugin leaves marker files relative to the working directory.
  (cd "$SOHOA_CACHE/es" && mvn -q -B dependency:unpack \
    -Dmdep.markersDirectory="$SOHOA_CACHE/es/markers" \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$SOHOA_CACHE/es")
  [ -x "$ES_HOME/bin/elasticsearch" ] || die "es: unpack did not produce $ES_HOME/bin/elasticsearch"
}

setup_s3() {
  [ -x "$VERSITYGW" ] && return 0
  command -v go >/dev/null || die "Go is needed to build versitygw: install golang"
  log "s3: building versitygw $VERSITYGW_VERSION from the Go module proxy (about 2 minutes)"
  mkdir -p "$BIN_DIR"
  local tmp; tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  mv "$tmp/versitygw" "$VERSITYGW"
  rmdir "$tmp"
}

setup_verapdf() {
  [ -f "$VERAPDF_JAR" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch veraPDF: apt-get install maven"
  log "verapdf: fetching org.verapdf.apps:cli:$VERAPDF_VERSION from Maven Central"
  mkdir -p "$SOHOA_CACHE/verapdf"
  (cd "$SOHOA_CACHE/verapdf" && mvn -q -B dependency:copy \
    -Dmdep.markersDirectory="$SOHOA_CACHE/verapdf/markers" \
    -Dartifact="org.verapdf.apps:cli:$VERAPDF_VERSION:jar" -Dmdep.stripVersion=false \
    -DoutputDirectory="$SOHOA_CACHE/verapdf/tmp")
  mv "$SOHOA_CACHE/verapdf/tmp/cli-$VERAPDF_VERSION.jar" "$VERAPDF_JAR"
  rm -rf "$SOHOA_CACHE/verapdf/tmp"
  [ -f "$VERAPDF_JAR" ] || die "verapdf: $VERAPDF_JAR was not written"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    apt) setup_apt ;;
    python) setup_python ;;
    es) setup_es ;;
    s3) setup_s3 ;;
    verapdf) setup_verapdf ;;
    all) setup_apt; setup_python; setup_es; setup_s3; setup_verapdf ;;
    *) die "unknown target '$t' (apt|python|es|s3|verapdf|all)" ;;
  esac
done
