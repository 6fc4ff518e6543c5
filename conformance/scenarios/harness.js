'use strict';
// What every scenario's JS half shares; conformance/scenarios/harness.py is its twin.
//
// A scenario prints its events as JSON arrays, one per line, on stdout, and exits by
// itself once nothing is left open. Logs must not hold ports, addresses, timestamps or
// durations: only facts and the order of events.

const WATCHDOG_MS = 4000;  // conformance.scenarios.harness.WATCHDOG_MS

function log(...event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

// [code, message] of an error (code null when it has none).
function err(e) {
  return [e && e.code !== undefined ? e.code : null, e && e.message];
}

// Run main(); a scenario still running after WATCHDOG_MS is cut short, saying so. The
// watchdog is unref'd: it never keeps a finished scenario alive.
function start(main) {
  setTimeout(() => {
    log('timeout', 'watchdog');
    process.exit(3);
  }, WATCHDOG_MS).unref();
  main();
}

// Events of another actor (the server, seen from a client's scenario) whose order against
// this one's depends on scheduling: kept apart and printed, in their own order, at exit.
function deferred(actor) {
  const events = [];
  process.on('exit', () => {
    for (const e of events) log(actor, ...e);
  });
  return (...event) => events.push(event);
}

// server.listen on 127.0.0.1, an ephemeral port; cb(port).
function listen(server, cb) {
  server.listen(0, '127.0.0.1', () => cb(server.address().port));
}

// A raw client: connect, write data (latin-1 text), ignore the reply, log ['client', 'end'] at its
// end and call onClose once the socket closes.
function sendRaw(port, data, onClose) {
  const socket = require('net').connect(port, '127.0.0.1', () => socket.write(data, 'latin1'));
  socket.on('data', () => {});
  socket.on('end', () => log('client', 'end'));
  socket.on('close', () => onClose());
}

module.exports = { WATCHDOG_MS, deferred, err, listen, log, sendRaw, start };
