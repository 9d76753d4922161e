// @ts-check
// A script reads its own directory tree and nothing else unless the user allows it
// (--allow-read DIR); a refusal names the path and the option and shows nothing of the file.

/**
 * The error `p` rejects with.
 * @param {Promise<unknown>} p
 * @returns {Promise<any>}
 */
async function rejection(p) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('the import succeeded');
}

describe('file access', () => {
  it('a JSON file in the script\'s own tree imports', async () => {
    // @ts-ignore: import attributes need a newer "module" setting than the type check uses
    const m = await import('./fixtures/answer.json', { with: { type: 'json' } });
    assert.strictEqual(m.default.answer, 42);
  });

  it('a JSON import outside the tree is refused, naming the path and --allow-read', async () => {
    // @ts-ignore: import attributes need a newer "module" setting than the type check uses
    const e = await rejection(import('/usr/share/dict/../../../etc/os-release.json', { with: { type: 'json' } }));
    assert.match(String(e.message), /reading \/etc\/os-release\.json is not allowed/);
    assert.match(String(e.message), /--allow-read DIR/);
  });

  for (const secret of ['/etc/passwd', '/proc/self/environ']) {
    it(`importing ${secret} leaks nothing of it`, async () => {
      const e = await rejection(import(secret));
      const text = `${e.name}|${e.message}|${e.stack}`;
      assert.match(text, new RegExp(`reading ${secret.replace(/\//g, '\\/')} is not allowed`));
      assert.doesNotMatch(text, /root:|PATH=|HOME=|SyntaxError/);
    });
  }

  it('a relative path climbing out of the tree is refused', async () => {
    // @ts-ignore: not a module the type check can resolve, on purpose
    const e = await rejection(import('../pom.xml'));
    assert.match(String(e.message), /pom\.xml is not allowed/);
  });
});
