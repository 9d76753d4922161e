// m.xive: direct access to the XIVE tables (for prototyping; a guest cannot do this).
(function (host, h) {
  'use strict';
  const l = host.layout();
  const layout = Object.freeze({
    esbBase: h.fromLong(l[0]), endEsbBase: h.fromLong(l[1]), timaBase: h.fromLong(l[2]),
    timaOsPage: h.fromLong(l[3]), esbShift: Number(l[4]), nrIrqs: Number(l[5]), nrEnds: Number(l[6]),
  });
  return h.guard({
    eas: (lisn) => BigInt.asUintN(64, BigInt(host.eas(h.int64(lisn, 'lisn')))),
    setEas: (lisn, w) => host.setEas(h.int64(lisn, 'lisn'), h.int64(w, 'EAS word')),
    end: (idx) => Array.from(host.end(h.int64(idx, 'END index')), (w) => w >>> 0),
    setEnd: (idx, word, value) => host.setEnd(h.int64(idx, 'END index'), h.int64(word, 'END word'), h.int64(value, 'value')),
    endIndex: (vcpu, prio) => host.endIndex(h.int64(vcpu, 'vcpu'), h.int64(prio, 'priority')),
    pq: (lisn) => host.pq(h.int64(lisn, 'lisn')),
    get enqueued() { return h.fromLong(host.enqueued()); },
    layout,
  }, 'm.xive');
})
