// Validates FHIR R4 JSON and NDJSON files with FHIR.js (the `fhir` npm
// package), independently of caregate's C++ code.
//
//   node validate_fhir.js --module DIR [--expect-invalid] FILE...
//
// DIR is where `npm install fhir` put node_modules (validate_fhir.sh does
// that). A .ndjson file holds one resource per line; any other file one
// resource. Every resource is validated by FHIR.js against the R4 structure
// definitions and value sets it ships, with unexpected properties as errors.
// FHIR.js does not evaluate FHIRPath invariants, so a few R4 rules it
// skips are checked here too, each marked "[R4 rule]":
//  - JSON representation: no null, "", [] or {} (ele-1 and json.html);
//  - Bundle: fullUrl unique (bdl-7); a message's first entry is a
//    MessageHeader (bdl-12); urn:uuid references resolve inside the bundle;
//  - contained resources: "#id" references resolve (dom-3 in part).
// Errors (FHIR.js severities "error" and "fatal", and the rules above) fail
// the file; warnings and information are counted, not fatal (caregate's own
// codes are not in FHIR's extensible value sets, by design).
//
// Exit status: 0 when every file is valid or, with --expect-invalid, when
// every file is refused; 1 otherwise; 2 on bad usage.
'use strict';

const fs = require('fs');
const path = require('path');

function usage(message) {
  console.error(`validate_fhir: ${message}`);
  console.error('usage: node validate_fhir.js --module DIR [--expect-invalid] FILE...');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { moduleDir: null, expectInvalid: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--module') {
      args.moduleDir = argv[++i];
    } else if (argv[i] === '--expect-invalid') {
      args.expectInvalid = true;
    } else if (argv[i].startsWith('--')) {
      usage(`unknown option ${argv[i]}`);
    } else {
      args.files.push(argv[i]);
    }
  }
  if (!args.moduleDir) usage('--module DIR is required');
  if (args.files.length === 0) usage('no files given');
  return args;
}

// Resources of a file: [{where, resource}] or a parse error.
function readResources(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (!file.endsWith('.ndjson')) return [{ where: file, text }];
  const out = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push({ where: `${file}:${i + 1}`, text: line });
  });
  if (out.length === 0) out.push({ where: file, text: '' });
  return out;
}

// [R4 rule] JSON representation: no null, empty string, array or object.
function checkNoEmpty(value, location, errors) {
  if (value === null) {
    errors.push(`${location}: [R4 rule] null is not allowed`);
  } else if (typeof value === 'string' && value === '') {
    errors.push(`${location}: [R4 rule] empty string is not allowed`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) errors.push(`${location}: [R4 rule] empty array is not allowed`);
    value.forEach((v, i) => checkNoEmpty(v, `${location}[${i}]`, errors));
  } else if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) errors.push(`${location}: [R4 rule] empty object is not allowed`);
    keys.forEach((k) => checkNoEmpty(value[k], `${location}.${k}`, errors));
  }
}

function collectReferences(value, location, out) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectReferences(v, `${location}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') {
        out.push({ location: `${location}.reference`, reference: v });
      } else if (k !== 'contained') {
        collectReferences(v, `${location}.${k}`, out);
      }
    }
  }
}

// [R4 rule] "#id" references in a resource name one of its contained ones.
function checkContained(resource, location, errors) {
  const ids = new Set((resource.contained || []).map((c) => c.id));
  const refs = [];
  collectReferences(resource, location, refs);
  for (const { location: where, reference } of refs) {
    if (reference.startsWith('#') && !ids.has(reference.slice(1))) {
      errors.push(`${where}: [R4 rule] "${reference}" names no contained resource`);
    }
  }
}

// [R4 rule] bdl-7, bdl-12 and urn:uuid references resolving in the bundle.
function checkBundle(bundle, errors) {
  const entries = bundle.entry || [];
  const urls = new Set();
  entries.forEach((e, i) => {
    if (e.fullUrl === undefined) return;
    if (urls.has(e.fullUrl)) errors.push(`Bundle.entry[${i}].fullUrl: [R4 rule] bdl-7 duplicate fullUrl`);
    urls.add(e.fullUrl);
  });
  if (bundle.type === 'message') {
    const first = entries[0] && entries[0].resource;
    if (!first || first.resourceType !== 'MessageHeader') {
      errors.push('Bundle.entry[0]: [R4 rule] bdl-12 a message must start with a MessageHeader');
    }
  }
  entries.forEach((e, i) => {
    if (!e.resource) return;
    const refs = [];
    collectReferences(e.resource, `Bundle.entry[${i}].resource`, refs);
    for (const { location, reference } of refs) {
      if (reference.startsWith('urn:uuid:') && !urls.has(reference)) {
        errors.push(`${location}: [R4 rule] "${reference}" is not in the bundle`);
      }
    }
    checkContained(e.resource, `Bundle.entry[${i}].resource`, errors);
  });
}

function validateOne(fhir, item) {
  const errors = [];
  let warnings = 0;
  let resource;
  try {
    resource = JSON.parse(item.text);
  } catch (e) {
    return { errors: [`not valid JSON: ${e.message}`], warnings };
  }
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    return { errors: ['not a JSON object'], warnings };
  }
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  for (const m of result.messages) {
    if (m.severity === 'error' || m.severity === 'fatal') {
      errors.push(`${m.location || '(resource)'} [${m.resourceId}]: ${m.message}`);
    } else if (m.severity === 'warning') {
      warnings++;
    }
  }
  if (!result.valid && errors.length === 0) errors.push('FHIR.js: not valid');
  checkNoEmpty(resource, resource.resourceType || '(resource)', errors);
  if (resource.resourceType === 'Bundle') {
    checkBundle(resource, errors);
  } else {
    checkContained(resource, resource.resourceType || '(resource)', errors);
  }
  return { errors, warnings };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { Fhir } = require(path.join(path.resolve(args.moduleDir), 'node_modules', 'fhir'));
  const fhir = new Fhir();  // FHIR.js's built-in R4 definitions
  let failedFiles = 0;
  let resources = 0;
  let warnings = 0;
  for (const file of args.files) {
    let fileErrors = 0;
    for (const item of readResources(file)) {
      const r = validateOne(fhir, item);
      resources++;
      warnings += r.warnings;
      fileErrors += r.errors.length;
      const stream = args.expectInvalid ? console.log : console.error;
      for (const e of r.errors) stream(`${item.where}: ${e}`);
    }
    if (args.expectInvalid) {
      if (fileErrors === 0) {
        console.error(`${file}: expected to be refused, but it validated`);
        failedFiles++;
      } else {
        console.log(`${file}: refused as expected (${fileErrors} errors)`);
      }
    } else if (fileErrors > 0) {
      failedFiles++;
    } else {
      console.log(`${file}: valid`);
    }
  }
  console.log(`validate_fhir: ${args.files.length} files, ${resources} resources, ` +
              `${warnings} warnings, ${failedFiles} files ` +
              (args.expectInvalid ? 'wrongly accepted' : 'invalid'));
  process.exit(failedFiles === 0 ? 0 : 1);
}

main();
