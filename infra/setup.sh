#!/usr/bin/env bash
# Install what sohoa needs, skipping whatever is already there (a second run downloads nothing).
#   infra/setup.sh [apt|python|es|s3|minio|verapdf|all]...   (default: all)
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
  log "es: fetching Elasticsearch $ES_VERSION (integ-test zip) from Maven Central into $ES_HOME"
  mkdir -p "$SOHOA_SYSTEM_DIR/es"
  chmod 755 "$SOHOA_SYSTEM_DIR" "$SOHOA_SYSTEM_DIR/es"
  # Unpack beside the target and rename: a second checkout installing at the same time never sees half
  # a distribution. Run from that folder: the plugin leaves marker files relative to the working directory.
  local tmp; tmp="$(mktemp -d "$SOHOA_SYSTEM_DIR/es/.unpack-XXXXXX")"
  (cd "$tmp" && mvn -q -B dependency:unpack \
    -Dmdep.markersDirectory="$tmp/markers" \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$tmp") || { rm -rf "$tmp"; die "es: could not fetch Elasticsearch $ES_VERSION"; }
  [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] || { rm -rf "$tmp"; die "es: unpack made no bin/elasticsearch"; }
  chmod -R go-w,a+rX "$tmp/elasticsearch-$ES_VERSION"  # read-only for the ES user: it owns only its run state
  mv -T "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME" 2>/dev/null || [ -x "$ES_HOME/bin/elasticsearch" ] \
    || { rm -rf "$tmp"; die "es: could not move the distribution to $ES_HOME"; }
  rm -rf "$tmp"
}

go_build() {  # go_build WHAT MODULE@VERSION DEST: one Go server binary, built from the module proxy
  command -v go >/dev/null || die "Go is needed to build $1: install golang"
  mkdir -p "$BIN_DIR"
  local tmp; tmp="$(mktemp -d)"
  GOBIN="$tmp" go install "$2"
  mv "$tmp/$(basename "${2%@*}")" "$3"
  rmdir "$tmp"
}

setup_s3() {
  [ -x "$VERSITYGW" ] && return 0
  log "s3: building versitygw $VERSITYGW_VERSION from the Go module proxy (about 2 minutes)"
  go_build versitygw "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" "$VERSITYGW"
}

setup_minio() {
  [ -x "$MINIO" ] && return 0
  log "minio: building MinIO $MINIO_VERSION from the Go module proxy (a test server; cold: ~5 CPU-minutes, 1.2 GB of modules)"
  CGO_ENABLED=0 go_build MinIO "github.com/minio/minio@$MINIO_VERSION" "$MINIO"  # static, as MinIO ships it
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
    minio) setup_minio ;;
    verapdf) setup_verapdf ;;
    all) setup_apt; setup_python; setup_es; setup_s3; setup_minio; setup_verapdf ;;
    *) die "unknown target '$t' (apt|python|es|s3|minio|verapdf|all)" ;;
  esac
done
