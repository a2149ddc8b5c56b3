// Guide 4.x (parse big JSON as a stream), beside perfmastery.io.JsonParsingBenchmark. treeModel is JSON.parse of
// the whole document, then a walk over it; streaming feeds the same bytes in 64 KiB chunks to @streamparser/json,
// which emits one record at a time (paths ['$.*']) and keeps none of them. Both compute the same totals, which the
// generator counted independently while writing the document. dataBinding (Jackson into records) has no form in
// the guide: not measured on Node.
import { JSONParser } from '@streamparser/json';
import { seeded } from '../lib/random.mjs';

const TAGS = ['new', 'sale', 'eco', 'fragile', 'imported', 'limited-edition'];
export const CHUNK = 65536;

function emptyTotals() {
    return { records: 0, idSum: 0, quantitySum: 0, priceCentsSum: 0, active: 0, nameChars: 0, tags: 0, tagChars: 0 };
}

function add(totals, item) {
    totals.records++;
    totals.idSum += item.id;
    totals.nameChars += item.name.length;
    totals.quantitySum += item.quantity;
    totals.priceCentsSum += item.priceCents;
    totals.active += item.active ? 1 : 0;
    totals.tags += item.tags.length;
    for (const tag of item.tags) {
        totals.tagChars += tag.length;
    }
}

/** A JSON array of records of at least `bytes` bytes (the JVM lesson's shape), and the totals counted meanwhile. */
export function generate(bytes) {
    const random = seeded(20240611);
    const parts = ['['];
    let length = 1;
    const expected = emptyTotals();
    for (let id = 0; length + 1 < bytes; id++) {
        const item = {
            id,
            name: `item-${id}-${Math.floor(random() * 2 ** 40).toString(36)}`,
            quantity: Math.floor(random() * 1000),
            priceCents: Math.floor(random() * 1e9),
            active: random() < 0.5,
            tags: [],
        };
        const tagCount = Math.floor(random() * 4);
        for (let t = 0; t < tagCount; t++) {
            item.tags.push(TAGS[Math.floor(random() * TAGS.length)]);
        }
        const text = (id > 0 ? ',' : '') + JSON.stringify(item);
        parts.push(text);
        length += text.length;
        add(expected, item);
    }
    parts.push(']');
    return { json: Buffer.from(parts.join(''), 'utf8'), expected };
}

export function treeModel(json) {
    const totals = emptyTotals();
    for (const item of JSON.parse(json.toString('utf8'))) {
        add(totals, item);
    }
    return totals;
}

export function streaming(json) {
    const totals = emptyTotals();
    const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
    parser.onValue = ({ value }) => add(totals, value);
    for (let offset = 0; offset < json.length; offset += CHUNK) {
        parser.write(json.subarray(offset, Math.min(json.length, offset + CHUNK)));
    }
    // The parser ends by itself after the top-level array; end() then would be an error.
    if (!parser.isEnded) {
        parser.end();
    }
    return totals;
}

const PARSERS = { treeModel, streaming };

export default {
    benchmark: 'perfmastery.io.JsonParsingBenchmark',
    mode: 'avgt',
    unit: 'us/op',
    params: { size: ['1024', '1048576', '16777216'] },
    variants: ['treeModel', 'streaming'],
    notMeasured: { dataBinding: 'binding into typed records (Jackson) has no form in the guide' },
    async setup(variant, params) {
        const { json } = generate(Number(params.size));
        const parse = PARSERS[variant];
        return { op: () => parse(json).records };
    },
};
