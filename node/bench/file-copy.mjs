// Guide 4.x (stream files, don't read them whole), beside perfmastery.io.FileCopyBenchmark. readAllThenWrite is
// fs.promises readFile + writeFile, the whole file in one Buffer; the streaming copy is stream.pipeline from a read
// stream to a write stream with 64 KiB chunks (highWaterMark 65536, createReadStream's default written out), which
// is the JVM lesson's bufferedLoop64k: a user-space loop over a 64 KiB buffer, so its row carries that name and
// that lesson's streaming claim. Files live in a fresh folder under the OS temp dir, deleted at teardown: this is
// the page cache, not the disk. streamTransferTo, channelTransferTo and filesCopy are JVM APIs: not measured.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { seeded } from '../lib/random.mjs';

export const CHUNK = 65536;

export async function readAllThenWrite(source, target) {
    const data = await fsp.readFile(source);
    await fsp.writeFile(target, data);
    return data.length;
}

export async function streamPipeline(source, target) {
    await pipeline(fs.createReadStream(source, { highWaterMark: CHUNK }),
        fs.createWriteStream(target, { highWaterMark: CHUNK }));
    return (await fsp.stat(target)).size;
}

/** A folder with a source file of `size` seeded random bytes; `remove()` deletes it. */
export async function scratch(size) {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'perfmastery-node-copy-'));
    const source = path.join(dir, 'source.bin');
    const target = path.join(dir, 'target.bin');
    const random = seeded(7);
    const handle = await fsp.open(source, 'w');
    try {
        const block = Buffer.alloc(Math.min(size, 1 << 20));
        for (let written = 0; written < size; written += block.length) {
            for (let i = 0; i < block.length; i++) {
                block[i] = (random() * 256) | 0;
            }
            await handle.write(block, 0, Math.min(block.length, size - written));
        }
    } finally {
        await handle.close();
    }
    return { dir, source, target, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

const COPIES = { readAllThenWrite, bufferedLoop64k: streamPipeline };

export default {
    benchmark: 'perfmastery.io.FileCopyBenchmark',
    mode: 'avgt',
    unit: 'us/op',
    params: { size: ['1048576', '67108864'] },
    variants: ['readAllThenWrite', 'bufferedLoop64k'],
    notMeasured: {
        streamTransferTo: 'InputStream.transferTo is a JVM API; the guide\'s stream copy is the bufferedLoop64k row',
        channelTransferTo: 'FileChannel.transferTo (sendfile) has no form in the guide',
        filesCopy: 'Files.copy has no form in the guide (fs.copyFile is not shown)',
    },
    async setup(variant, params) {
        const files = await scratch(Number(params.size));
        const copy = COPIES[variant];
        return {
            async: true,
            op: () => copy(files.source, files.target),
            teardown: files.remove,
        };
    },
};
