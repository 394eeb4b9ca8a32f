#!/usr/bin/env bash
# The install-and-start test of Duet's Linux bundles, made by `scripts/package` (BUNDLE is
# their directory, target/release/bundle or target/debug/bundle). The .deb's metadata is
# checked, its files are installed into an empty tree with `dpkg-deb -x`, and the installed
# binary is started under Xvfb through tauri-driver with a fresh home directory (so its data,
# logs and keyring entries go where the OS puts an application's) and a private keyring:
# installed.mjs sees the Environments page with the sandbox linked, a second copy refused,
# and the AppImage started on the same data. Then the files Duet left are checked.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
BUNDLE="$1"
WORK="${2:-$(mktemp -d)}"
cd "$ROOT"

fail() { echo "package test: $*" >&2; exit 1; }
one() { # the one file matching a glob
  local matches=($1)
  [ "${#matches[@]}" -eq 1 ] && [ -e "${matches[0]}" ] || fail "expected one $1, found: ${matches[*]}"
  echo "${matches[0]}"
}
DEB="$(one "$BUNDLE/deb/*.deb")"
APPIMAGE="$(one "$BUNDLE/appimage/*.AppImage")"
VERSION="$(cargo metadata --no-deps --format-version 1 --manifest-path "$ROOT/Cargo.toml" \
  | node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(m.packages.find((p) => p.name === "duet-desktop").version)')"

field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = "duet" ] || fail "the package is named '$(field Package)'"
[ "$(field Version)" = "$VERSION" ] || fail "the package's version $(field Version) is not the workspace's $VERSION"
field Depends | grep -q 'libwebkit2gtk-4.1-0' || fail "the package does not depend on WebKitGTK: $(field Depends)"
field Description | grep -q 'two-way sync' || fail "the package's description is missing: $(field Description)"

ROOT_FS="$WORK/installed"
rm -rf "$ROOT_FS" && mkdir -p "$ROOT_FS"
dpkg-deb -x "$DEB" "$ROOT_FS"
APP="$ROOT_FS/usr/bin/duet-desktop"
[ -x "$APP" ] || fail "the package has no usr/bin/duet-desktop"
ENTRY="$(one "$ROOT_FS/usr/share/applications/*.desktop")"
grep -q '^Exec=duet-desktop' "$ENTRY" || fail "the desktop entry does not start duet-desktop"
grep -q '^Categories=.*Office' "$ENTRY" || fail "the desktop entry has no business category: $(grep Categories "$ENTRY")"
[ -f "$ROOT_FS/usr/share/icons/hicolor/128x128/apps/duet-desktop.png" ] || fail "the package has no 128x128 icon"

EXTRACTED="$WORK/appimage"
rm -rf "$EXTRACTED" && mkdir -p "$EXTRACTED"
(cd "$EXTRACTED" && "$APPIMAGE" --appimage-extract >/dev/null)
cmp -s "$EXTRACTED/squashfs-root/usr/bin/duet-desktop" "$APP" \
  || fail "the AppImage does not hold the .deb's binary"
[ -x "$EXTRACTED/squashfs-root/AppRun" ] && [ -f "$EXTRACTED/squashfs-root/duet-desktop.desktop" ] \
  && [ -f "$EXTRACTED/squashfs-root/duet-desktop.png" ] || fail "the AppImage lacks AppRun, its desktop entry or icon"
echo "package test: $(basename "$DEB") and $(basename "$APPIMAGE") hold Duet $VERSION"

# A fresh home: nothing of the machine's user is read or written. The AppImage runs by
# extracting itself, as on a machine without FUSE.
HOME_DIR="$WORK/home"
rm -rf "$HOME_DIR" && mkdir -p "$HOME_DIR"
PORT="${DUET_WEBDRIVER_PORT:-4444}"
xvfb-run -a --server-args="-screen 0 1400x900x24" env -u DUET_DATA_DIR HOME="$HOME_DIR" \
  XDG_DATA_HOME="$HOME_DIR/.local/share" XDG_CONFIG_HOME="$HOME_DIR/.config" \
  XDG_CACHE_HOME="$HOME_DIR/.cache" APPIMAGE_EXTRACT_AND_RUN=1 bash -c '
  source "$1/scripts/lib.sh"
  with_keyring "$2/keyring" bash -c "
    # The keyring keeps its files in an XDG_DATA_HOME of its own; the app uses the fresh home.
    export XDG_DATA_HOME=\"$6/.local/share\"
    tauri-driver --port $5 --native-port $(($5 + 1)) > \"$2/tauri-driver.log\" 2>&1 &
    driver=\$!
    trap \"kill \$driver 2>/dev/null || true\" EXIT
    DUET_WEBDRIVER_PORT=$5 node \"$1/tests/package/installed.mjs\" \"$3\" \"$4\" \"$2\"
    secret-tool search --all service dev.duet.app > \"$2/keyring-entries.txt\" 2>&1
  "
' installed "$ROOT" "$WORK" "$APP" "$APPIMAGE" "$PORT" "$HOME_DIR"

DATA="$HOME_DIR/.local/share/dev.duet.app"
[ -f "$DATA/duet.sqlite" ] || fail "no store in the XDG data directory $DATA: $(ls -A "$DATA" 2>&1)"
LOG="$(one "$DATA/logs/duet.*.log")"
grep -q 'Duet cannot start' "$LOG" || fail "the log $LOG does not record the refused second copy"
grep -q 'username = ' "$WORK/keyring-entries.txt" \
  || fail "no client secret under dev.duet.app in the keyring: $(cat "$WORK/keyring-entries.txt")"
for unexpected in "$ROOT_FS/var" "$HOME_DIR/.duet" "$HOME_DIR/duet"; do
  [ ! -e "$unexpected" ] || fail "Duet wrote outside the OS's places: $unexpected"
done
echo "package test: data in $DATA, logs in $LOG, client secrets in the keyring under dev.duet.app"
echo "package test: 1 passed"
