// A partner's app: the npm open311 client against a CityCase server. Every step prints one line
// "STEP <json>" (or "ERROR <step> <message>") that the C# test reads.
// Usage: node georeport.mjs <discovery url> <api key> <service code> <lat> <long>
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const Open311 = require('open311');

const [discovery, apiKey, serviceCode, lat, long] = process.argv.slice(2);
const city = new Open311({ discovery, apiKey });
const say = (step, data) => console.log(`${step} ${JSON.stringify(data)}`);
const fail = (step, err, body) => { console.log(`ERROR ${step} ${JSON.stringify({ err, body })}`); process.exit(1); };

city.serviceDiscovery({ cache: true }, (err, data) => {
  if (err) return fail('DISCOVERY', err, data);
  say('DISCOVERY', { endpoint: city.endpoint, format: city.format, endpoints: data.endpoints.length });
  city.serviceList((err, services) => {
    if (err) return fail('SERVICES', err, services);
    say('SERVICES', services.map(s => s.service_code));
    city.serviceDefinition(serviceCode, (err, definition) => {
      if (err) return fail('DEFINITION', err, definition);
      say('DEFINITION', definition);
      const required = {};
      for (const a of definition.attributes.filter(a => a.required)) required[a.code] = a.values.length ? a.values[0].key : '1';
      city.submitRequest({
        service_code: serviceCode, lat, long, address_string: '12 Fuzhou Road',
        description: 'Reported from a partner app: the cover is gone',
        first_name: 'Mei', last_name: 'Zhang', email: 'mei.zhang@example.org', phone: '13911112222',
        media_url: 'https://photos.example.org/cover.jpg',
        attributes: required,
      }, (err, submitted) => {
        if (err) return fail('SUBMIT', err, submitted);
        say('SUBMIT', submitted);
        city.serviceRequests(submitted[0].service_request_id, (err, requests) => {
          if (err) return fail('READ', err, requests);
          say('READ', requests);
        });
      });
    });
  });
});
