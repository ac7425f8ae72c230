#!/bin/sh
# The .deb's postinst (tauri.conf.json: bundle.linux.deb.postInstallScript): the system user
# that postroom.service runs as, and systemd told about the new unit. The unit is not enabled
# here: `systemctl enable --now postroom` turns the system-wide server on.
set -e
if [ "$1" = configure ]; then
    if ! getent passwd postroom >/dev/null; then
        adduser --system --group --home /var/lib/postroom --no-create-home --quiet \
            --gecos "Postroom Mail Server" postroom
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
        # An upgrade: a running service picks up the new program.
        systemctl try-restart postroom.service || true
    fi
fi
exit 0
