# Sourced by .ci/run: Debian's chromium for the browser tests (test/serve-browser.test.ts).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
fi
export ACCELMAP_CHROMIUM=/usr/bin/chromium
