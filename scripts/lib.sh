# Shared by scripts/run and scripts/test: installs what Duet needs on Debian, idempotently.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

APT_PACKAGES=(
  build-essential pkg-config libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  webkit2gtk-driver xvfb xauth chromium gnome-keyring dbus-x11
  python3 python3-venv
  squashfs-tools xdotool imagemagick libsecret-tools
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
    echo "Duet needs a Rust toolchain (1.89 or newer): install it with rustup, then run this again." >&2
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
#
# The daemon runs in the foreground as a child of the session, with its own runtime
# directory and its output kept in the keyring home, so its death is seen and explained. The
# command starts only once the daemon owns the Secret Service name (asked without starting
# anything: asking the name itself would have D-Bus start a second, locked daemon, whose
# missing default collection answers "no result found") and names a default collection; if
# that takes over 30 s the run stops here with the daemon's output, instead of running
# tests against no keyring. When the command fails, the daemon's state is printed too.
with_keyring() {
  local keyring_home="$1"
  shift
  mkdir -p "$keyring_home"
  dbus-run-session -- bash -c '
    home="$1"; shift
    export XDG_DATA_HOME="$home" XDG_RUNTIME_DIR="$home/run"
    mkdir -p -m 700 "$XDG_RUNTIME_DIR"
    log="$home/gnome-keyring.log"
    # gnome-keyring aborts when a client vanishes while opening a session (killed mid-call,
    # as the crash trials do: "gkd_secret_service_get_pkcs11_session: assertion client
    # failed"). It is started again at once, replacing any locked daemon D-Bus started
    # meanwhile, and unlocks the same keyring file, so stored secrets stay.
    (while :; do
      printf duet | gnome-keyring-daemon --foreground --replace --unlock --components=secrets
      echo "with_keyring: gnome-keyring stopped ($?); starting it again"
      sleep 0.1
    done) >"$log" 2>&1 &
    daemon=$!
    keyring_state() {
      echo "gnome-keyring: $(pgrep -a gnome-keyring | tr "\n" ";")" >&2
      echo "gnome-keyring output ($log):" >&2
      tail -n 20 "$log" >&2
    }
    ready=""
    for _ in $(seq 1 150); do
      if ! kill -0 "$daemon" 2>/dev/null; then break; fi
      if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q "boolean true"; then
        default=$(dbus-send --session --print-reply --dest=org.freedesktop.secrets \
          /org/freedesktop/secrets org.freedesktop.Secret.Service.ReadAlias string:default \
          2>/dev/null | sed -n "s/.*object path \"\([^\"]*\)\".*/\1/p")
        if [ -n "$default" ] && [ "$default" != "/" ]; then ready=1; break; fi
      fi
      sleep 0.2
    done
    if [ -z "$ready" ]; then
      echo "with_keyring: gnome-keyring did not offer an unlocked default collection" >&2
      keyring_state
      exit 1
    fi
    status=0
    "$@" || status=$?
    kill "$daemon" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
      echo "with_keyring: the command failed ($status)" >&2
      keyring_state
    fi
    exit "$status"
  ' keyring "$keyring_home" "$@"
}
