/* Entry, secondary entry, interrupt vector stub and the common interrupt path of the
 * "exceptions" payload (see main.c). Like qemu-selftest, the boot CPU may be entered
 * big-endian 32-bit (VOF), and RTAS start-cpu enters secondaries big-endian 64-bit
 * (MSR = SF|ME), so both entries start with the dual-endian word: LE it is
 * "tdi 0,0,0x48" (a no-op), BE it reads "b .+8" into a BE-encoded stub that sets
 * MSR[SF|LE], clears EE and rfid's to the LE code after it.                      */
	.section .text.start,"ax"
	.globl _start
_start:
	tdi	0,0,0x48
	b	boot_le
	.byte 0x7d,0x60,0x00,0xa6	/* mfmsr r11             */
	.byte 0x39,0x20,0x00,0x00	/* li r9,0               */
	.byte 0x61,0x29,0x80,0x00	/* ori r9,r9,0x8000 (EE) */
	.byte 0x7d,0x6b,0x48,0x78	/* andc r11,r11,r9       */
	.byte 0x39,0x40,0x00,0x01	/* li r10,1              */
	.byte 0x79,0x4a,0xf8,0x06	/* sldi r10,r10,63 (SF)  */
	.byte 0x61,0x4a,0x00,0x01	/* ori r10,r10,1 (LE)    */
	.byte 0x7d,0x6b,0x53,0x78	/* or r11,r11,r10        */
	.byte 0x42,0x9f,0x00,0x05	/* bcl 20,31,.+4         */
	.byte 0x7d,0x48,0x02,0xa6	/* mflr r10              */
	.byte 0x39,0x4a,0x00,0x14	/* addi r10,r10,20       */
	.byte 0x7d,0x5a,0x03,0xa6	/* mtsrr0 r10            */
	.byte 0x7d,0x7b,0x03,0xa6	/* mtsrr1 r11            */
	.byte 0x4c,0x00,0x00,0x24	/* rfid                  */
boot_le:
	bcl	20,31,1f
1:	mflr	12
	addis	2,12,(.TOC.-1b)@ha
	addi	2,2,(.TOC.-1b)@l
	addis	1,12,(stack0_top-1b)@ha
	addi	1,1,(stack0_top-1b)@l
	li	0,0
	stdu	0,-64(1)
	addis	3,12,(__bss_start-1b)@ha
	addi	3,3,(__bss_start-1b)@l
	addis	4,12,(__bss_end-1b)@ha
	addi	4,4,(__bss_end-1b)@l
2:	cmpld	3,4
	bge	3f
	std	0,0(3)
	addi	3,3,8
	b	2b
3:	bl	cmain
	nop
4:	b	4b

/* RTAS start-cpu entry: r3 = the CPU's number (the start-cpu argument) */
	.globl sec_start
	.balign 4
sec_start:
	tdi	0,0,0x48
	b	sec_le
	.byte 0x7d,0x60,0x00,0xa6	/* mfmsr r11             */
	.byte 0x39,0x20,0x00,0x00	/* li r9,0               */
	.byte 0x61,0x29,0x80,0x00	/* ori r9,r9,0x8000 (EE) */
	.byte 0x7d,0x6b,0x48,0x78	/* andc r11,r11,r9       */
	.byte 0x39,0x40,0x00,0x01	/* li r10,1              */
	.byte 0x79,0x4a,0xf8,0x06	/* sldi r10,r10,63 (SF)  */
	.byte 0x61,0x4a,0x00,0x01	/* ori r10,r10,1 (LE)    */
	.byte 0x7d,0x6b,0x53,0x78	/* or r11,r11,r10        */
	.byte 0x42,0x9f,0x00,0x05	/* bcl 20,31,.+4         */
	.byte 0x7d,0x48,0x02,0xa6	/* mflr r10              */
	.byte 0x39,0x4a,0x00,0x14	/* addi r10,r10,20       */
	.byte 0x7d,0x5a,0x03,0xa6	/* mtsrr0 r10            */
	.byte 0x7d,0x7b,0x03,0xa6	/* mtsrr1 r11            */
	.byte 0x4c,0x00,0x00,0x24	/* rfid                  */
sec_le:
	bcl	20,31,1f
1:	mflr	12
	addis	2,12,(.TOC.-1b)@ha
	addi	2,2,(.TOC.-1b)@l
	addis	1,12,(sec_stacks-1b)@ha
	addi	1,1,(sec_stacks-1b)@l
	addi	4,3,1
	sldi	4,4,13			/* 8 KiB per CPU */
	add	1,1,4
	li	0,0
	stdu	0,-64(1)
	bl	secondary_main
	nop
2:	b	2b

/* The code copied to each vector: saves r12 and CTR in SPRG1/SPRG3, loads the
 * common path's address from SPRG0 and the vector number (patched into the li
 * by install_vector) into r12, and branches.                                 */
	.globl vec_stub
	.balign 4
vec_stub:
	mtspr	273,12
	mfctr	12
	mtspr	275,12
	mfspr	12,272
	mtctr	12
	li	12,0
	bctr

/* Common interrupt path: a frame below the interrupted code's red zone, every
 * volatile register and SRR0/1 saved, exc_handler(vector) called, all restored,
 * rfid.  r2 is the TOC: only our own code, which keeps it, is ever interrupted. */
	.globl exc_common
	.balign 4
exc_common:
	addi	1,1,-288
	stdu	1,-224(1)
	std	0,32(1)
	std	3,48(1)
	std	4,56(1)
	std	5,64(1)
	std	6,72(1)
	std	7,80(1)
	std	8,88(1)
	std	9,96(1)
	std	10,104(1)
	std	11,112(1)
	mfspr	0,273
	std	0,120(1)
	mfspr	0,259
	std	0,128(1)
	mflr	0
	std	0,136(1)
	mfcr	0
	std	0,144(1)
	mfxer	0
	std	0,152(1)
	mfsrr0	0
	std	0,160(1)
	mfsrr1	0
	std	0,168(1)
	mr	3,12
	bl	exc_handler
	nop
	ld	0,168(1)
	mtsrr1	0
	ld	0,160(1)
	mtsrr0	0
	ld	0,152(1)
	mtxer	0
	ld	0,144(1)
	mtcrf	0xff,0
	ld	0,136(1)
	mtlr	0
	ld	0,128(1)
	mtctr	0
	ld	12,120(1)
	ld	0,32(1)
	ld	3,48(1)
	ld	4,56(1)
	ld	5,64(1)
	ld	6,72(1)
	ld	7,80(1)
	ld	8,88(1)
	ld	9,96(1)
	ld	10,104(1)
	ld	11,112(1)
	addi	1,1,224+288
	rfid

/* run-time addresses of the code above (the payload runs at 0x400000, linked at 0) */
	.globl addr_of_exc_common, addr_of_sec_start, addr_of_vec_stub
addr_of_exc_common:
	mflr	0
	bcl	20,31,1f
1:	mflr	3
	mtlr	0
	addis	3,3,(exc_common-1b)@ha
	addi	3,3,(exc_common-1b)@l
	blr
addr_of_sec_start:
	mflr	0
	bcl	20,31,1f
1:	mflr	3
	mtlr	0
	addis	3,3,(sec_start-1b)@ha
	addi	3,3,(sec_start-1b)@l
	blr
addr_of_vec_stub:
	mflr	0
	bcl	20,31,1f
1:	mflr	3
	mtlr	0
	addis	3,3,(vec_stub-1b)@ha
	addi	3,3,(vec_stub-1b)@l
	blr

/* long hcall(long op, unsigned long *ret, a1..a6): as in qemu-selftest */
	.globl hcall
hcall:
	std	4,-8(1)
	mr	4,5
	mr	5,6
	mr	6,7
	mr	7,8
	mr	8,9
	mr	9,10
	sc	1
	ld	12,-8(1)
	cmpdi	12,0
	beqlr
	std	4,0(12)
	std	5,8(12)
	std	6,16(12)
	std	7,24(12)
	blr

	.globl do_sc0
do_sc0:
	sc	0
	blr

	.section .bss.stack,"aw",@nobits
	.balign 16
	.space 65536
stack0_top:
	.globl sec_stacks
	.balign 16
sec_stacks:
	.space 8192*8
