#!/bin/sh
# The .deb's prerm: a removal stops the system-wide server first (its data in
# /var/lib/postroom stays).
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop postroom.service || true
    systemctl disable postroom.service || true
fi
exit 0
