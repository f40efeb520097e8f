// Sends every kind of call through Customer.io's official Node library to a Relay node, as a
// customer's server would, then closes and flushes. Run by dev.relay.ingest.SourceLibrariesTest:
//
//   node send-every-call.js <host, e.g. http://127.0.0.1:8080> <writeKey>
//
// Prints one JSON object per line on stdout, for the test to compare with what Relay stored:
//   {"request": {"url", "method", "headers", "body"}}   each HTTP request the library made
//   {"acknowledged": "<messageId>"} or {"failed": "<messageId>", "reason": "..."}   each call
// Exits 0 only when every call was acknowledged.
'use strict'

const { Analytics } = require('@customerio/cdp-analytics-node')

const [host, writeKey] = process.argv.slice(2)
if (!host || !writeKey) {
  console.error('usage: node send-every-call.js <host> <writeKey>')
  process.exit(2)
}

const UNICODE = 'Ünïcode ✓ 日本語 🚀'
// Five calls per request, so the twelve below need three requests; the last, partial one is
// sent by closeAndFlush. The interval is long so that no timer decides what goes together.
const analytics = new Analytics({ writeKey, host, maxEventsInBatch: 5, flushInterval: 30000 })

const print = (line) => process.stdout.write(JSON.stringify(line) + '\n')
analytics.on('http_request', (request) => print({ request }))

let failures = 0
const done = (err, ctx) => {
  const messageId = ctx && ctx.event ? ctx.event.messageId : null
  if (err) {
    failures++
    print({ failed: messageId, reason: String(err && err.message ? err.message : err) })
  } else {
    print({ acknowledged: messageId })
  }
}

const userId = 'cio-user-1'
analytics.identify({ userId, traits: { name: UNICODE, email: 'cio@example.com', plan: 'pro' } }, done)
analytics.track({ userId, event: 'Order Completed', properties: { note: UNICODE, total: 42.5, items: [{ sku: 'a-1' }] } }, done)
analytics.page({ userId, name: 'Pricing', category: 'Docs', properties: { title: UNICODE } }, done)
analytics.screen({ anonymousId: 'cio-anon-1', name: 'Home', properties: { label: UNICODE } }, done)
analytics.group({ userId, groupId: 'cio-group-1', traits: { name: UNICODE, seats: 5 } }, done)
analytics.alias({ userId, previousId: 'cio-anon-1' }, done)
for (let i = 0; i < 6; i++) {
  analytics.track({ anonymousId: 'cio-anon-1', event: 'Item Viewed', properties: { index: i, text: UNICODE } }, done)
}

analytics
  .closeAndFlush({ timeout: 20000 })
  .then(() => process.exit(failures === 0 ? 0 : 1))
  .catch((err) => {
    console.error(err)
    process.exit(1)
  })
