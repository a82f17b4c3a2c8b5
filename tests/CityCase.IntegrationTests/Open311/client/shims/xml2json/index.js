// open311 0.0.12 uses xml2json (a native add-on) only to read XML answers; the client test runs it in JSON.
module.exports = {
  toJson() { throw new Error('xml2json is not installed: drive the open311 client in JSON'); },
};
