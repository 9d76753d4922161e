/* Bare-metal pseries payload that takes interrupts as exceptions (MSR[EE] = 1):
 * in XICS mode (ic-mode=xics) the boot CPU starts every other vCPU through RTAS
 * start-cpu; each takes NDEC decrementer interrupts (vector 0x900, re-armed by
 * the handler) and NIPI IPIs the boot CPU sends one at a time with H_IPI
 * (external interrupt, vector 0x500: H_XIRR, clear the MFRR, H_EOI). The boot CPU
 * also makes one system call (sc 0, vector 0xc00). Every count printed is fixed
 * by the program's logic, so the output does not depend on timing.           */
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

long hcall(long op, u64 *ret, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6);
u64 addr_of_exc_common(void);
u64 addr_of_sec_start(void);
u64 addr_of_vec_stub(void);
void do_sc0(void);

#define H_PUT_TERM_CHAR 0x58
#define H_EOI           0x64
#define H_CPPR          0x68
#define H_IPI           0x6c
#define H_XIRR          0x74
#define H_SET_MODE      0x31c
#define KVMPPC_H_RTAS   0xf000
#define VTY             0x71000000UL
/* QEMU's RTAS tokens (the /rtas node) */
#define RTAS_POWER_OFF  0x2003
#define RTAS_QUERY_CPU  0x2005
#define RTAS_START_CPU  0x2006

#define MAXCPU     8
#define NIPI       20
#define NDEC       5
#define DEC_PERIOD 20000	/* timebase ticks (512 MHz): about 39 us */

struct percpu {
	volatile u64 ipis, decs, syscalls, other;
} __attribute__((aligned(128)));
static struct percpu pc[MAXCPU];
static volatile u32 ready;

static void putch(char c) { hcall(H_PUT_TERM_CHAR, 0, VTY, 1, (u64)(u8)c << 56, 0, 0, 0); }
static void puts_(const char *s) { while (*s) { if (*s == '\n') putch('\r'); putch(*s++); } }
static void putdec(u64 v)
{
	char b[24];
	int i = 0;
	do { b[i++] = '0' + v % 10; v /= 10; } while (v);
	while (i) putch(b[--i]);
}
static void putsd(const char *s, long v) { puts_(s); if (v < 0) { putch('-'); v = -v; } putdec(v); }

/* QEMU leaves PIR at 0 on every pseries vCPU: each CPU keeps its number in SPRG2 */
static u64 pir(void) { u64 v; asm volatile("mfspr %0,274" : "=r"(v)); return v; }
static void set_sprg2(u64 v) { asm volatile("mtspr 274,%0" :: "r"(v)); }
static void mtdec(u64 v) { asm volatile("mtspr 22,%0" :: "r"(v)); }
static void set_sprg0(u64 v) { asm volatile("mtspr 272,%0" :: "r"(v)); }
static void sync_(void) { asm volatile("sync" ::: "memory"); }
static void enable_ee(void)
{
	u64 m;
	asm volatile("mfmsr %0" : "=r"(m));
	m |= 0x8000;
	asm volatile("mtmsrd %0,1" :: "r"(m) : "memory");
}
static void atomic_inc(volatile u32 *p)
{
	u32 t;
	asm volatile("1: lwarx %0,0,%1\n addi %0,%0,1\n stwcx. %0,0,%1\n bne- 1b"
		     : "=&r"(t) : "r"(p) : "cr0", "memory");
}

static long rtas(u32 token, int nargs, int nret, u32 a0, u32 a1, u32 a2, u32 *ret1)
{
	static volatile u32 buf[16] __attribute__((aligned(8)));
	u32 args[3] = { a0, a1, a2 };
	int i;
	buf[0] = __builtin_bswap32(token);
	buf[1] = __builtin_bswap32(nargs);
	buf[2] = __builtin_bswap32(nret);
	for (i = 0; i < nargs; i++)
		buf[3 + i] = __builtin_bswap32(args[i]);
	hcall(KVMPPC_H_RTAS, 0, (u64)buf, 0, 0, 0, 0, 0);
	if (ret1 && nret > 1)
		*ret1 = __builtin_bswap32(buf[3 + nargs + 1]);
	return (int)__builtin_bswap32(buf[3 + nargs]);
}

/* the vector stub, with the vector number patched into its "li r12,0" */
static void install_vector(u64 vec)
{
	u32 *src = (u32 *)addr_of_vec_stub();
	u32 *dst = (u32 *)vec;
	int i;
	asm("" : "+r"(dst));	/* a real address, not an object the compiler knows */
	for (i = 0; i < 7; i++)
		dst[i] = src[i];
	dst[5] |= vec;
	asm volatile("sync; icbi 0,%0; isync" :: "r"(dst) : "memory");
}

void exc_handler(u64 vec)
{
	u64 me = pir();
	u64 r[4];
	if (vec == 0x500) {
		hcall(H_XIRR, r, 0, 0, 0, 0, 0, 0);
		if ((r[0] & 0xffffff) == 2) {
			hcall(H_IPI, 0, me, 0xff, 0, 0, 0, 0);
			pc[me].ipis++;
		} else {
			pc[me].other++;
		}
		hcall(H_EOI, 0, r[0], 0, 0, 0, 0, 0);
	} else if (vec == 0x900) {
		pc[me].decs++;
		mtdec(pc[me].decs < NDEC ? DEC_PERIOD : 0x7fffffff);
	} else if (vec == 0xc00) {
		pc[me].syscalls++;
	} else {
		pc[me].other++;
	}
	sync_();
}

static void cpu_setup(void)
{
	set_sprg0(addr_of_exc_common());
	hcall(H_CPPR, 0, 0xff, 0, 0, 0, 0, 0);
	mtdec(DEC_PERIOD);
	enable_ee();
}

void secondary_main(u64 cpu)
{
	set_sprg2(cpu);
	cpu_setup();
	atomic_inc(&ready);
	for (;;)
		;
}

void cmain(void)
{
	long rc;
	u32 state;
	u64 i, k, ncpu;

	puts_("\nexceptions: started\n");
	rc = hcall(H_SET_MODE, 0, 1, 4, 0, 0, 0, 0);	/* interrupts little-endian */
	putsd("H_SET_MODE(LE) rc=", rc); puts_("\n");
	install_vector(0x500);
	install_vector(0x900);
	install_vector(0xc00);
	for (ncpu = 1; ncpu < MAXCPU; ncpu++)
		if (rtas(RTAS_QUERY_CPU, 1, 2, ncpu, 0, 0, &state) != 0)
			break;
	putsd("cpus=", ncpu); puts_("\n");
	set_sprg2(0);
	set_sprg0(addr_of_exc_common());
	do_sc0();
	putsd("sc 0: syscalls=", pc[0].syscalls); puts_("\n");
	for (i = 1; i < ncpu; i++) {
		rc = rtas(RTAS_START_CPU, 3, 1, i, addr_of_sec_start(), i, 0);
		putsd("start-cpu ", i); putsd(" rc=", rc); puts_("\n");
	}
	while (ready != ncpu - 1)
		sync_();
	puts_("secondaries ready\n");
	for (i = 1; i < ncpu; i++) {
		for (k = 0; k < NIPI; k++) {
			u64 before = pc[i].ipis;
			hcall(H_IPI, 0, i, 5, 0, 0, 0, 0);
			while (pc[i].ipis == before)
				sync_();
		}
		while (pc[i].decs != NDEC)
			sync_();
	}
	for (i = 1; i < ncpu; i++) {
		putsd("cpu ", i); putsd(": ipis=", pc[i].ipis); putsd(" decs=", pc[i].decs);
		putsd(" other=", pc[i].other); puts_("\n");
	}
	puts_("DONE\n");
	rtas(RTAS_POWER_OFF, 2, 1, 0, 0, 0, 0);
	puts_("power-off returned\n");
}
