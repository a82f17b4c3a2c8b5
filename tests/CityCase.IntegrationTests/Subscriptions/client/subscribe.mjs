// Subscribes with the stock graphql-ws client and prints one line per protocol event, for the tests:
//   node subscribe.mjs <ws-url> <token> <query> [variables-json] [count]
// Lines: CONNECTED | NEXT <json> | ERROR <json> | COMPLETE | CLOSED <code> <reason>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, query, variables = '{}', count = '1'] = process.argv.slice(2);
let received = 0;
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: { token },
  on: {
    connected: () => console.log('CONNECTED'),
    closed: (event) => { console.log(`CLOSED ${event.code} ${event.reason}`); process.exit(0); },
  },
});
client.subscribe({ query, variables: JSON.parse(variables) }, {
  next: (value) => {
    console.log(`NEXT ${JSON.stringify(value)}`);
    if (++received >= Number(count)) { client.dispose(); }
  },
  error: (error) => { console.log(`ERROR ${JSON.stringify(error)}`); },
  complete: () => console.log('COMPLETE'),
});
setTimeout(() => { console.log('TIMEOUT'); process.exit(1); }, 30000);
