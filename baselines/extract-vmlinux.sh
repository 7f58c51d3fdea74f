#!/usr/bin/env bash
# extract-vmlinux.sh BZIMAGE OUT
# Writes the kernel ELF image (vmlinux) that Debian's bzImage carries
# compressed, so QEMU can start it through its PVH entry point. Booting the
# ELF skips the bzImage decompressor, which costs about half a second under
# TCG, as Firecracker boots uncompressed kernels; the kernel code is the same
# bytes. The payload is located with the x86 boot protocol's setup header
# (Documentation/arch/x86/boot.rst: setup_sects at 0x1f1, "HdrS" at 0x202,
# version at 0x206, payload_offset/payload_length at 0x248/0x24c).
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: extract-vmlinux.sh BZIMAGE OUT" >&2; exit 2; }
bz=$1 out=$2

u8() { od -An -tu1 -j "$1" -N1 "$bz" | tr -d ' '; }
u16() { od -An -tu2 -j "$1" -N2 "$bz" | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N4 "$bz" | tr -d ' '; }

[ "$(od -An -c -j 0x202 -N4 "$bz" | tr -d ' ')" = "HdrS" ] || {
	echo "extract-vmlinux: $bz is not a bzImage (no HdrS at 0x202)" >&2
	exit 1
}
[ "$(u16 0x206)" -ge $((0x208)) ] || {
	echo "extract-vmlinux: $bz: boot protocol older than 2.08 has no payload fields" >&2
	exit 1
}
setup_sects=$(u8 0x1f1)
[ "$setup_sects" -ne 0 ] || setup_sects=4
start=$(( (setup_sects + 1) * 512 + $(u32 0x248) ))
len=$(u32 0x24c)

magic=$(od -An -tx1 -j "$start" -N6 "$bz" | tr -d ' \n')
case $magic in
02214c18*) unpack=(lz4 -dc) ;;      # lz4 legacy frame (CONFIG_KERNEL_LZ4)
1f8b*) unpack=(gzip -dc) ;;
fd377a585a00) unpack=(xz -dc) ;;
28b52ffd*) unpack=(zstd -dc) ;;
*)
	echo "extract-vmlinux: $bz: unknown payload compression (magic $magic)" >&2
	exit 1
	;;
esac
command -v "${unpack[0]}" >/dev/null || {
	echo "extract-vmlinux: ${unpack[0]} missing; run make deps" >&2
	exit 1
}

# The build appends the uncompressed size (le32) after the stream, which
# decompressors report as trailing garbage; the size check below is what
# tells a complete image from a truncated one.
want=$(u32 $((start + len - 4)))
tail -c +$((start + 1)) "$bz" | head -c "$len" | "${unpack[@]}" >"$out.tmp" 2>/dev/null || true
got=$(stat -c %s "$out.tmp")
if [ "$got" != "$want" ] || [ "$(head -c4 "$out.tmp" | od -An -tx1 | tr -d ' ')" != "7f454c46" ]; then
	rm -f "$out.tmp"
	echo "extract-vmlinux: $bz: payload gave $got bytes, not the $want-byte ELF image" >&2
	exit 1
fi
mv "$out.tmp" "$out"
