// SPDX-License-Identifier: MIT
/*
 * print.c - COM1 output (polled 16550), a minimal printf, string helpers.
 *
 * printf knows %c %s %d %u %x %p, the ll length for 64-bit values, a field
 * width and the 0 flag: enough for terse test logs.
 */
#include "rt.h"
#include "../../../kernel/hvabi.h"

#define COM1		SV_PORT_COM1
#define UART_THR	0
#define UART_LSR	5
#define LSR_THRE	(1 << 5)	/* transmit holding register empty */

/* rt_serial_init - 115200 baud 8N1, FIFOs on, UART interrupts off. */
void rt_serial_init(void)
{
	outb(COM1 + 1, 0x00);		/* IER: no interrupts */
	outb(COM1 + 3, 0x80);		/* LCR: DLAB to set the divisor */
	outb(COM1 + 0, 0x01);		/* divisor 1 = 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);		/* LCR: 8 data bits, no parity, 1 stop */
	outb(COM1 + 2, 0x07);		/* FCR: enable and clear FIFOs */
	outb(COM1 + 4, 0x03);		/* MCR: DTR, RTS */
}

/* rt_putc - write one character to COM1 once the UART can take it. */
void rt_putc(char c)
{
	unsigned int spins = 0;

	if (c == '\n')
		rt_putc('\r');
	/* Bounded wait: a missing UART must not hang the guest. */
	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && ++spins < 1000000)
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

/* rt_puts - write a string to COM1. */
void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

/* u64_divmod - *n /= d, returns the remainder; uses DIV on 32-bit halves. */
uint32_t u64_divmod(uint64_t *n, uint32_t d)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / d, r = hi % d, qlo;

	/* r < d, so the 64/32 division below cannot overflow. */
	__asm__("divl %4" : "=a"(qlo), "=d"(r) : "0"(lo), "1"(r), "rm"(d));
	*n = ((uint64_t)qhi << 32) | qlo;
	return r;
}

/* put_num - print V in BASE, at least WIDTH wide, padded with PAD. */
static int put_num(uint64_t v, uint32_t base, bool neg, int width, char pad)
{
	char buf[24];
	int n = 0, out = 0;

	do {
		buf[n++] = "0123456789abcdef"[u64_divmod(&v, base)];
	} while (v);
	if (neg)
		width--;
	if (neg && pad == '0') {
		rt_putc('-');
		out++;
	}
	for (; width > n; width--, out++)
		rt_putc(pad);
	if (neg && pad != '0') {
		rt_putc('-');
		out++;
	}
	while (n)
		rt_putc(buf[--n]), out++;
	return out;
}

/* rt_vprintf - format to COM1; returns the number of characters written. */
int rt_vprintf(const char *fmt, va_list ap)
{
	int out = 0;

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;
		const char *str;

		if (*fmt != '%') {
			rt_putc(*fmt);
			out++;
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng++, fmt++;
		switch (*fmt) {
		case 'c':
			rt_putc((char)va_arg(ap, int));
			out++;
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (int n = (int)rt_strlen(str); width > n; width--, out++)
				rt_putc(' ');
			rt_puts(str);
			out += (int)rt_strlen(str);
			break;
		case 'd':
			s = lng >= 2 || (lng && sizeof(long) == 8) ? va_arg(ap, int64_t) :
								       va_arg(ap, int32_t);
			out += put_num(s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = lng >= 2 || (lng && sizeof(long) == 8) ? va_arg(ap, uint64_t) :
								       va_arg(ap, uint32_t);
			out += put_num(u, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		case 'p':
			rt_puts("0x");
			out += 2 + put_num(va_arg(ap, uintptr_t), 16, false, 2 * sizeof(void *), '0');
			break;
		case '%':
			rt_putc('%');
			out++;
			break;
		default:
			rt_putc('%');
			rt_putc(*fmt ? *fmt : '?');
			out += 2;
			if (!*fmt)
				return out;
		}
	}
	return out;
}

/* rt_printf - printf to COM1. */
int rt_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* rt_strlen - length of S. */
size_t rt_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* rt_strncmp - compare at most N characters; returns <0, 0 or >0. */
int rt_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

/* rt_memset - fill N bytes at D with C; returns D. */
void *rt_memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

/* GCC may emit calls to these even in freestanding code. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

void *memset(void *d, int c, size_t n)
{
	return rt_memset(d, c, n);
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}
