#!/bin/sh
# Builds a bare-metal payload with Debian's powerpc64le cross toolchain (gcc-powerpc64le-linux-gnu).
# Usage: payloads/build.sh NAME [OUTDIR]   ->  OUTDIR/NAME.elf (OUTDIR defaults to payloads/NAME)
# Each payload is start.S + main.c linked at 0 with link.ld; the flags are those of
# ../shared/payload/build.sh, the payload QEMU 7.2's results were measured with.
set -e
HERE="$(cd "$(dirname "$0")" && pwd)"
NAME=${1:?usage: build.sh NAME [OUTDIR]}
SRC="$HERE/$NAME"
OUT=${2:-$SRC}
mkdir -p "$OUT"
CC=${CC:-powerpc64le-linux-gnu-gcc}
CFLAGS="-O2 -mcpu=power9 -mlittle-endian -mabi=elfv2 -mcmodel=medium -fno-pic -ffreestanding \
 -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables -msoft-float -mno-altivec -mno-vsx \
 -Wall -nostdlib"
$CC $CFLAGS -c "$SRC/start.S" -o "$OUT/start.o"
$CC $CFLAGS -c "$SRC/main.c" -o "$OUT/main.o"
$CC $CFLAGS -static -Wl,--no-dynamic-linker -Wl,-T,"$SRC/link.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
  -o "$OUT/$NAME.elf" "$OUT/start.o" "$OUT/main.o"
