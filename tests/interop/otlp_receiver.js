#!/usr/bin/env node
// An independent OTLP trace receiver for interop tests: OTLP/gRPC (@grpc/grpc-js) and OTLP/HTTP
// protobuf (node:http), decoding with the .proto files of Debian's opentelemetry-proto package.
// It shares no code with osapi, so a passing test proves osapi speaks standard OTLP.
//
// usage: node otlp_receiver.js --out FILE [--grpc-port N] [--http-port N]
//          [--tls-cert PEM --tls-key PEM [--client-ca PEM]] [--require-header 'authorization=Bearer xyz']
// Every received span is appended to FILE as one JSON line {"event":"span",…}; every rejected
// call as {"event":"rejected",…}. Prints "otlp receiver ready" on stdout once listening.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function parseArgs(argv) {
  const args = {grpcPort: 0, httpPort: 0};
  for (let i = 2; i < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    if (key === '--out') args.out = value;
    else if (key === '--grpc-port') args.grpcPort = Number(value);
    else if (key === '--http-port') args.httpPort = Number(value);
    else if (key === '--tls-cert') args.tlsCert = value;
    else if (key === '--tls-key') args.tlsKey = value;
    else if (key === '--client-ca') args.clientCa = value;
    else if (key === '--require-header') args.requireHeader = value;
    else throw new Error(`unknown option ${key}`);
  }
  if (!args.out) throw new Error('--out is required');
  return args;
}

// Debian installs the .proto files under /usr/include; OTLP_PROTO_DIR overrides.
function protoRoot() {
  const candidates = [process.env.OTLP_PROTO_DIR, '/usr/include', '/usr/share/opentelemetry-proto']
                         .filter(Boolean);
  const rel = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, rel))) return {dir, rel};
  }
  throw new Error('opentelemetry-proto .proto files not found (install opentelemetry-proto)');
}

function loadService() {
  const {dir, rel} = protoRoot();
  const definition = protoLoader.loadSync(rel, {
    includeDirs: [dir],
    keepCase: true,
    longs: String,
    enums: Number,
    defaults: true,
    oneofs: true,
  });
  return definition['opentelemetry.proto.collector.trace.v1.TraceService'];
}

function hex(bytes) {
  return Buffer.from(bytes || []).toString('hex');
}

function anyValueText(v) {
  if (!v || !v.value) return '';
  const inner = v[v.value];
  if (v.value === 'array_value') return JSON.stringify((inner.values || []).map(anyValueText));
  if (v.value === 'bytes_value') return hex(inner);
  return String(inner);
}

function attributeMap(list) {
  const out = {};
  for (const kv of list || []) out[kv.key] = anyValueText(kv.value);
  return out;
}

// One JSON object per span, flattened with its resource's service.name.
function spanLines(request, protocol) {
  const lines = [];
  for (const rs of request.resource_spans || []) {
    const resource = attributeMap(rs.resource && rs.resource.attributes);
    for (const ss of rs.scope_spans || []) {
      for (const s of ss.spans || []) {
        lines.push(JSON.stringify({
          event: 'span',
          protocol,
          service: resource['service.name'] || '',
          resource,
          scope: (ss.scope && ss.scope.name) || '',
          traceId: hex(s.trace_id),
          spanId: hex(s.span_id),
          parentSpanId: hex(s.parent_span_id),
          traceState: s.trace_state || '',
          flags: s.flags || 0,
          name: s.name,
          kind: s.kind,
          status: (s.status && s.status.code) || 0,
          attributes: attributeMap(s.attributes),
          events: (s.events || []).map((e) => e.name),
          links: (s.links || []).map((l) => ({traceId: hex(l.trace_id), spanId: hex(l.span_id)})),
        }));
      }
    }
  }
  return lines;
}

function main() {
  const args = parseArgs(process.argv);
  const service = loadService();
  const append = (lines) => {
    if (lines.length) fs.appendFileSync(args.out, lines.join('\n') + '\n');
  };
  let required = null;
  if (args.requireHeader) {
    const eq = args.requireHeader.indexOf('=');
    required = {
      name: args.requireHeader.slice(0, eq).toLowerCase(),
      value: args.requireHeader.slice(eq + 1),
    };
  }
  const reject = (protocol, got) =>
      append([JSON.stringify({event: 'rejected', protocol, header: got === undefined ? null : got})]);
  const tls = args.tlsCert ?
      {cert: fs.readFileSync(args.tlsCert), key: fs.readFileSync(args.tlsKey)} :
      null;
  // Mutual TLS: only clients presenting a certificate signed by --client-ca get through.
  if (tls && args.clientCa) {
    tls.ca = fs.readFileSync(args.clientCa);
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }

  // ---- gRPC ----
  const server = new grpc.Server();
  server.addService(service, {
    Export(call, callback) {
      if (required) {
        const got = call.metadata.get(required.name)[0];
        if (got !== required.value) {
          reject('grpc', got);
          callback({code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong credentials'});
          return;
        }
      }
      append(spanLines(call.request, 'grpc'));
      callback(null, {});
    },
  });
  const credentials = tls ?
      grpc.ServerCredentials.createSsl(tls.ca || null, [{private_key: tls.key, cert_chain: tls.cert}],
                                       Boolean(tls.ca)) :
      grpc.ServerCredentials.createInsecure();

  // ---- OTLP/HTTP protobuf ----
  const exportMethod = service.Export;
  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (required && req.headers[required.name] !== required.value) {
        reject('http', req.headers[required.name]);
        res.writeHead(401, {'content-type': 'text/plain'}).end('unauthenticated');
        return;
      }
      let request;
      try {
        request = exportMethod.requestDeserialize(Buffer.concat(chunks));
      } catch (e) {
        res.writeHead(400, {'content-type': 'text/plain'}).end(String(e));
        return;
      }
      append(spanLines(request, 'http'));
      const body = exportMethod.responseSerialize({});
      res.writeHead(200, {'content-type': 'application/x-protobuf'}).end(body);
    });
  };
  const httpServer = tls ? https.createServer(tls, handler) : http.createServer(handler);

  server.bindAsync(`127.0.0.1:${args.grpcPort}`, credentials, (err, grpcPort) => {
    if (err) throw err;
    httpServer.listen(args.httpPort, '127.0.0.1', () => {
      const httpPort = httpServer.address().port;
      console.log(`otlp receiver ready grpc=${grpcPort} http=${httpPort}`);
    });
  });
  const stop = () => {
    httpServer.close();
    server.forceShutdown();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
