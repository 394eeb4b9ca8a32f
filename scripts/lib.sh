# Shared by scripts/run and scripts/test: installs what Duet needs on Debian, idempotently.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

APT_PACKAGES=(
  build-essential pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  webkit2gtk-driver xvfb xauth chromium gnome-keyring dbus-x11
  python3 python3-venv
)

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_apt_packages() {
  local missing=()
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi
  if [ "${#missing[@]}" -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

check_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    echo "Duet needs a Rust toolchain (1.85 or newer): install it with rustup, then run this again." >&2
    exit 1
  fi
}

install_ui() {
  say "Installing UI packages (npm ci)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
}

build_ui() {
  say "Building the UI"
  (cd "$ROOT/ui" && npm run build --silent)
}

# Runs a command with a private D-Bus session and an unlocked gnome-keyring, so secrets go
# to a real OS keyring even on a machine without a desktop session.
with_keyring() {
  local keyring_home="$1"
  shift
  mkdir -p "$keyring_home"
  # The unlocked daemon takes the Secret Service name on the bus a moment after it starts. A
  # client asking before that has D-Bus start a second, locked daemon, whose missing default
  # collection answers "no result found"; so the command starts only once the name has an
  # owner (asked without starting anything) and it names a default collection (10 s at most).
  dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$1"; shift
    printf duet | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    for _ in $(seq 1 50); do
      if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q "boolean true"; then
        default=$(dbus-send --session --print-reply --dest=org.freedesktop.secrets \
          /org/freedesktop/secrets org.freedesktop.Secret.Service.ReadAlias string:default \
          2>/dev/null | sed -n "s/.*object path \"\([^\"]*\)\".*/\1/p")
        if [ -n "$default" ] && [ "$default" != "/" ]; then break; fi
      fi
      sleep 0.2
    done
    exec "$@"
  ' keyring "$keyring_home" "$@"
}
