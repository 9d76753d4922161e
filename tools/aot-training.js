// The representative run the launcher records its start-up cache from (./pseries, JDK 25's AOT
// cache): what `./pseries run` scripts commonly touch, done once and quickly, so the classes they
// load are in the cache whatever command ran first. It prints nothing; a failure only means the
// cache is not written (the launcher then runs without one).
for (const icMode of ['xive', 'xics', 'dual']) {
  const m = pseries.machine({ cpus: 2, icMode, devices: [{ type: 'spapr-vty' }, { type: 'spapr-vlan' }] });
  m.boot();
  m.guest.ipi(0, 1);
  m.irq(0x1100).pulse();
  m.runUntilIdle();
  m.guest.stats();
  m.pic();
  m.dts();
  m.hcall(0, 'H_CPPR', 0xff);
  m.load(0, 0x1000, 8);
  m.reset();
}
try {
  pseries.machine({ cpus: 0 });
} catch (e) {
  String(e);
}
const text = JSON.stringify({ version: pseries.version, args: pseries.args });
if (text.length === 0) {
  console.log(text);
}
