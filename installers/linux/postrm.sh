#!/bin/sh
# The .deb's postrm: systemd forgets the removed unit; a purge also removes the system user
# (the mail in /var/lib/postroom is never deleted by the package).
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
if [ "$1" = purge ] && getent passwd postroom >/dev/null; then
    deluser --system --quiet postroom >/dev/null 2>&1 || true
fi
exit 0
