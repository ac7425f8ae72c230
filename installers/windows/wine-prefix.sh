# Sourced by wine_test.sh and bench/wine-*.sh: a throwaway Wine prefix that runs Postroom's
# Rust programs. Test set-up only: nothing here is shipped.
#
#   wine_prefix_init DIR    WINEPREFIX=DIR (exported with WINEARCH, WINEDEBUG, and no Mono or
#                           Gecko prompts), `wineboot --init`, and the bcryptprimitives.dll
#                           stand-in in its system32. Sets $wine and $wineserver.
#   winpath PATH            a Linux path as Windows programs see it under Wine (Z: is /).

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

winpath() { printf 'Z:%s' "$(printf '%s' "$1" | tr / '\\')"; }

wine_prefix_init() {
    export WINEPREFIX="$1" WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
    "$wine" wineboot --init >"$1.wineboot.log" 2>&1
    "$wineserver" -w
    # Rust's std (1.78+) imports ProcessPrng from bcryptprimitives.dll, which Windows 10+ has
    # and Wine 8 lacks: a stand-in that calls RtlGenRandom (advapi32's SystemFunction036).
    cat >"$1.bcryptprimitives.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
C
    x86_64-w64-mingw32-gcc -shared -O2 -o "$1/drive_c/windows/system32/bcryptprimitives.dll" \
        "$1.bcryptprimitives.c" -ladvapi32 -Wl,--kill-at
}
