// @parcel/watcher loads its native binding from the platform package and reports a file created in a folder.
const fs = require('fs');
const path = require('path');
const watcher = require('@parcel/watcher');
const dir = fs.mkdtempSync(path.join(__dirname, 'watched-'));
let subscription;
const timer = setTimeout(() => {
  console.error('no event within 20 s');
  process.exit(2);
}, 20000);
watcher
  .subscribe(dir, async (err, events) => {
    if (err) throw err;
    if (events.some((e) => e.type === 'create' && path.basename(e.path) === 'new.txt')) {
      clearTimeout(timer);
      // the native addon that is loaded, whichever layout the client chose (pnpm's is not hoisted)
      const binding = Object.keys(require.cache).find((f) => f.endsWith('.node'));
      const pkg = binding.split(path.sep).slice(-3).join('/');
      console.log(`watcher saw create new.txt via ${pkg}`);
      await subscription.unsubscribe();
    }
  })
  .then((s) => {
    subscription = s;
    setTimeout(() => fs.writeFileSync(path.join(dir, 'new.txt'), 'x'), 200);
  });
