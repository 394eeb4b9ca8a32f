#!/usr/bin/env bash
# WebDriver smoke test of the real desktop window: builds the app with a test bundle
# identifier, starts tauri-driver (which starts WebKitWebDriver) under Xvfb with a private
# keyring and a temporary data directory, and drives the window with smoke.mjs. A
# dbus-monitor on the same session bus records the system notifications the window sends.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
WORK="${1:-$(mktemp -d)}"
cd "$ROOT"

# The test build has its own bundle identifier, so it never shares a keyring service or an
# app data directory with a user's install. Only the app crate rebuilds for it.
# The build goes where cargo puts it (CARGO_TARGET_DIR, else target/); the copy under test
# goes to webdriver/ there and the screenshot beside it. DUET_WEBDRIVER_PORT (default 4444)
# moves tauri-driver, and WebKitWebDriver to the port after it, for a machine running others.
PORT="${DUET_WEBDRIVER_PORT:-4444}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
TAURI_CONFIG='{"identifier":"dev.duet.app.webdriver"}' cargo build --quiet --bin duet-desktop
mkdir -p "$TARGET/webdriver"
APP="$TARGET/webdriver/duet-desktop"
cp "$TARGET/debug/duet-desktop" "$APP"
grep -q "dev.duet.app.webdriver" "$APP" || { echo "the test build lacks its test identifier" >&2; exit 1; }
mkdir -p "$WORK/desktop-data"

xvfb-run -a --server-args="-screen 0 1400x900x24" bash -c '
  source "$1/scripts/lib.sh"
  with_keyring "$2/keyring" bash -c "
    dbus-monitor --session \"type=method_call,interface=org.freedesktop.Notifications,member=Notify\" > \"$2/notifications.log\" 2>&1 &
    monitor=\$!
    DUET_DATA_DIR=\"$2/desktop-data\" tauri-driver --port $5 --native-port $(($5 + 1)) > \"$2/tauri-driver.log\" 2>&1 &
    driver=\$!
    trap \"kill \$driver \$monitor 2>/dev/null || true\" EXIT
    DUET_WEBDRIVER_PORT=$5 node \"$1/tests/webdriver/smoke.mjs\" \"$3\" \"$4/webdriver-environments.png\" \"$2/notifications.log\"
  "
' smoke "$ROOT" "$WORK" "$APP" "$TARGET" "$PORT"
