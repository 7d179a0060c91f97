/**
 * `image load` (an OCI archive and a docker-save archive made by skopeo from
 * an image the test writes), `image inspect` and `image prune [-a]`, inside
 * a throwaway host's private image store; a hostile archive is refused.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, withHost } from '../helpers/host';
import { busyboxLayer, makeTar, writeLayout } from '../helpers/oci-layout';
import { requireRegistryTools } from '../helpers/registry';
import { ok, sh, tsc } from '../helpers/containers';

test('image load reads OCI and docker-save archives, verified; inspect shows the config; prune -a removes what no container uses', async (t) => {
  requireRegistryTools(); // skopeo
  await withHost(t, async (host) => {
    const dir = path.join(host.dir, 'work');
    fs.mkdirSync(dir);
    const layout = path.join(host.dir, 'layout');
    await writeLayout(layout, 'v1', [{ layers: [busyboxLayer(), { entries: [{ name: 'marker', content: 'm' }] }], config: { config: { Env: ['PATH=/bin', 'FROM=archive'] } } }]);
    await sh(host, `tar -C ${layout} -cf ${dir}/oci.tar .`);
    await sh(host, `skopeo copy --quiet oci:${layout}:v1 docker-archive:${dir}/docker.tar:tsc/saved:v2`);

    // A tampered layer is refused (before any load put its layers in the store) and leaves nothing.
    const bad = path.join(host.dir, 'bad');
    await sh(host, `mkdir ${bad} && tar -C ${bad} -xf ${dir}/docker.tar && cd ${bad} && f=$(ls */layer.tar 2>/dev/null | head -1); [ -n "$f" ] || f=$(python3 -c "import json;print(json.load(open('manifest.json'))[0]['Layers'][0])"); python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[len(b)//2]^=1; open(sys.argv[1],'wb').write(b)" $f; tar -cf ${dir}/bad.tar .`);
    const tampered = await tsc(host, dir, ['image', 'load', '-i', 'bad.tar', 'tsc/bad:v1']);
    t.not(tampered.code, 0);
    t.regex(tampered.stderr, /layer sha256:[0-9a-f]{64}: /, 'the error names the layer');
    t.deepEqual(JSON.parse((await ok(host, dir, ['images', '--json'])).stdout).images, [], 'no image recorded (a verified layer may stay, as after a broken pull)');

    t.regex((await ok(host, dir, ['image', 'load', '-i', 'docker.tar'])).stdout, /Loaded image: docker\.io\/tsc\/saved:v2/);
    const unnamed = await tsc(host, dir, ['image', 'load', '-i', 'oci.tar']);
    t.not(unnamed.code, 0, 'an OCI archive whose index names no image needs a name');
    t.regex(unnamed.stderr, /names no image/);
    t.regex((await ok(host, dir, ['image', 'load', '-i', 'oci.tar', 'tsc/oci:v1'])).stdout, /Loaded image: docker\.io\/tsc\/oci:v1/);
    const [info] = JSON.parse((await ok(host, dir, ['image', 'inspect', 'tsc/saved:v2'])).stdout);
    t.true(info.config.config.Env.includes('FROM=archive'));
    t.is(info.layers.length, 2);
    t.is(await sh(host, 'ls /var/lib/tscompose/images/layers | wc -l'), '2', 'both archives share their layers');

    const evil = path.join(dir, 'evil.tar');
    fs.writeFileSync(evil, await makeTar([{ name: '../escape', content: 'x' }]));
    const e = await tsc(host, dir, ['image', 'load', '-i', 'evil.tar', 'tsc/evil:v1']);
    t.not(e.code, 0);
    t.regex(e.stderr, /outside the archive/);
    t.false(fs.existsSync(path.join(host.dir, 'escape')));
    const names = JSON.parse((await ok(host, dir, ['images', '--json'])).stdout).images.map((i: { name: string }) => i.name).sort();
    t.deepEqual(names, ['docker.io/tsc/oci:v1', 'docker.io/tsc/saved:v2']);

    t.regex((await ok(host, dir, ['image', 'prune'])).stdout, /Deleted: 0 layer/, 'prune keeps what images use');
    const all = JSON.parse((await ok(host, dir, ['image', 'prune', '-a', '--json'])).stdout);
    t.deepEqual(all.untagged.sort(), names);
    t.is(all.layers, 2);
    t.is(await sh(host, 'ls /var/lib/tscompose/images/layers | wc -l'), '0');
    t.is(await sh(host, 'ls -A /var/lib/tscompose/images/tmp | wc -l'), '0', 'no temporary directory left');
  });
});

test('image save writes what skopeo reads as an OCI and a docker archive; save, prune -a and load give back the same images, digests and all', async (t) => {
  requireRegistryTools(); // skopeo
  await withHost(t, async (host) => {
    const dir = path.join(host.dir, 'work');
    fs.mkdirSync(dir);
    for (const [name, marker] of [['a', 'first'], ['b', 'second']] as const) {
      const layout = path.join(host.dir, `layout-${name}`);
      await writeLayout(layout, 'v1', [{ layers: [busyboxLayer(), { compression: name === 'b' ? 'zstd' : 'gzip', entries: [{ name: 'marker', content: marker }] }] }]);
      await sh(host, `tar -C ${layout} -cf ${dir}/${name}.tar .`);
      await ok(host, dir, ['image', 'load', '-i', `${name}.tar`, `tsc/${name}:v1`]);
    }
    const inspect = async (names: string[]) =>
      JSON.parse((await ok(host, dir, ['image', 'inspect', ...names])).stdout).map((i: any) => ({ name: i.name, manifestDigest: i.manifestDigest, id: i.id, layers: i.layers }));
    const before = await inspect(['tsc/a:v1', 'tsc/b:v1']);

    await ok(host, dir, ['image', 'save', '-o', 'one.tar', 'tsc/a:v1']);
    const oci = JSON.parse(await sh(host, `skopeo inspect --raw oci-archive:${dir}/one.tar`));
    t.is(oci.layers.length, 2, 'skopeo reads it as an OCI archive');
    t.is(await sh(host, `skopeo inspect --raw oci-archive:${dir}/one.tar | sha256sum | cut -d' ' -f1`), before[0].manifestDigest.slice(7), 'the manifest, byte for byte');
    const config = JSON.parse(await sh(host, `skopeo inspect --config docker-archive:${dir}/one.tar`));
    t.is(config.rootfs.diff_ids.length, 2, 'and as a docker archive (manifest.json)');

    await ok(host, dir, ['image', 'save', '-o', 'both.tar', 'tsc/a:v1', 'tsc/b:v1']);
    await sh(host, `cd ${dir} && ${process.execPath} ${cliPath} image save tsc/a:v1 tsc/b:v1 > again.tar`);
    t.is(await sh(host, `cd ${dir} && sha256sum < both.tar`), await sh(host, `cd ${dir} && sha256sum < again.tar`), 'the same images make the same archive (file or standard output)');

    const all = JSON.parse((await ok(host, dir, ['image', 'prune', '-a', '--json'])).stdout);
    t.is(all.layers, 3);
    t.is(await sh(host, 'ls -A /var/lib/tscompose/images/blobs/sha256 | wc -l'), '0', 'prune removed the kept layer blobs with their images');
    t.regex((await ok(host, dir, ['image', 'load', '-i', 'both.tar'])).stdout, /Loaded image: docker\.io\/tsc\/a:v1\nLoaded image: docker\.io\/tsc\/b:v1/);
    t.deepEqual(await inspect(['tsc/a:v1', 'tsc/b:v1']), before, 'same manifests, same image IDs, same layers');

    const missing = await tsc(host, dir, ['image', 'save', '-o', 'none.tar', 'tsc/a:v1', 'tsc/none:v1']);
    t.not(missing.code, 0);
    t.regex(missing.stderr, /no such image: tsc\/none:v1/);
    t.false(fs.existsSync(path.join(dir, 'none.tar')), 'a refused save writes no file');
    await sh(host, `rm /var/lib/tscompose/images/blobs/sha256/${oci.layers[1].digest.slice(7)}`);
    const gone = await tsc(host, dir, ['image', 'save', '-o', 'gone.tar', 'tsc/a:v1']);
    t.not(gone.code, 0);
    t.regex(gone.stderr, new RegExp(`layer blob ${oci.layers[1].digest} is not kept in the store`));
    t.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('gone')), [], 'no half archive left');
  });
});
