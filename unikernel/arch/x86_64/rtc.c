/* The CMOS RTC, read once at boot for CLOCK_REALTIME when the harness gave
 * no zw.epoch_ns. microvm runs with rtc=off by default: then every port
 * reads 0xff and we say so. */
#include "arch.h"
#include "cpu.h"
#include "uk_errno.h"

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, int binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int rtc_read_epoch_s(uint64_t *out)
{
	if (cmos(0x0a) == 0xff && cmos(0x0b) == 0xff)
		return -ENODEV;
	for (int i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
		cpu_relax();
	uint8_t b = cmos(0x0b);
	int binary = b & 4;
	unsigned sec = bcd(cmos(0x00), binary), min = bcd(cmos(0x02), binary);
	uint8_t hraw = cmos(0x04);
	unsigned hour = bcd(hraw & 0x7f, binary);
	if (!(b & 2) && (hraw & 0x80))
		hour = (hour % 12) + 12;        /* 12-hour clock, PM */
	unsigned day = bcd(cmos(0x07), binary), mon = bcd(cmos(0x08), binary);
	unsigned year = bcd(cmos(0x09), binary) + 2000;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -ENODEV;
	*out = (uint64_t)(days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec);
	return 0;
}
