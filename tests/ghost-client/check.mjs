// Ghost's own Content API client, @tryghost/content-api, against the News API's Ghost Content API.
// Usage: node check.mjs BASE_URL CONTENT_KEY
// BASE_URL is the API's root (http://127.0.0.1:5080). The site must hold Ghost 4.1's fixture export
// (tests/Api.Tests/Imports/Data/ghost/v4_export.json), imported with POST /v1/imports/ghost.
// Prints "ghost-client: ok" when every check passes; exits 1 at the first that fails.
import GhostContentAPI from '@tryghost/content-api';
import assert from 'node:assert/strict';

const [base, key] = process.argv.slice(2);
if (!base || !key) {
    console.error('usage: node check.mjs BASE_URL CONTENT_KEY');
    process.exit(2);
}

const api = new GhostContentAPI({url: base.replace(/\/$/, ''), key, version: 'v5.0'});
const ghostPosts = ['integrations', 'grow', 'portal', 'write', 'design', 'welcome'];

async function check(name, run) {
    try {
        await run();
        console.log(`ok   ${name}`);
    } catch (error) {
        console.error(`FAIL ${name}: ${error.stack ?? error}`);
        process.exit(1);
    }
}

await check('lists posts with their tags and authors, newest first', async () => {
    const posts = await api.posts.browse({limit: 3, include: 'tags,authors'});
    assert.equal(posts.length, 3);
    assert.equal(posts.meta.pagination.page, 1);
    assert.equal(posts.meta.pagination.limit, 3);
    assert.ok(posts.meta.pagination.total >= ghostPosts.length);
    for (const post of posts) {
        assert.equal(typeof post.id, 'string');
        assert.ok(Array.isArray(post.tags) && Array.isArray(post.authors));
        assert.equal(typeof post.html, 'string');
    }
    const dates = posts.map((p) => Date.parse(p.published_at));
    assert.deepEqual(dates, [...dates].sort((a, b) => b - a));
});

await check('reads a post by slug', async () => {
    const post = await api.posts.read({slug: 'welcome'}, {include: 'tags,authors'});
    assert.equal(post.title, 'Start here for a quick overview of everything you need to know');
    assert.equal(post.slug, 'welcome');
    assert.equal(post.primary_tag.slug, 'getting-started');
    assert.equal(post.primary_author.slug, 'ghost');
    assert.equal(post.feature_image, 'https://static.ghost.org/v4.0.0/images/welcome-to-ghost.png');
    assert.match(post.html, /<p>/);
    assert.equal(post.published_at, '2021-03-24T04:34:15.000+00:00');
    const byId = await api.posts.read({id: post.id});
    assert.equal(byId.slug, 'welcome');
});

await check('filters by tag and by author', async () => {
    const tagged = await api.posts.browse({filter: 'tag:getting-started', limit: 'all', include: 'tags'});
    assert.deepEqual(tagged.map((p) => p.slug).sort(), [...ghostPosts].sort());
    assert.ok(tagged.every((p) => p.tags.some((t) => t.slug === 'getting-started')));
    const byAuthor = await api.posts.browse({filter: 'author:ghost', limit: 'all'});
    assert.deepEqual(byAuthor.map((p) => p.slug).sort(), [...ghostPosts].sort());
    const both = await api.posts.browse({filter: "tag:getting-started+slug:[welcome,design]", limit: 'all'});
    assert.deepEqual(both.map((p) => p.slug).sort(), ['design', 'welcome']);
    const not = await api.posts.browse({filter: 'tag:getting-started+slug:-welcome', limit: 'all'});
    assert.equal(not.length, ghostPosts.length - 1);
    const since = await api.posts.browse({filter: "tag:getting-started+published_at:>'2021-03-24 04:34:13'", limit: 'all'});
    assert.deepEqual(since.map((p) => p.slug).sort(), ['design', 'welcome']);
});

await check('pages through every post, each once', async () => {
    const first = await api.posts.browse({limit: 2, page: 1});
    const seen = [];
    for (let page = 1; page <= first.meta.pagination.pages; page++) {
        const posts = await api.posts.browse({limit: 2, page});
        assert.equal(posts.meta.pagination.page, page);
        assert.equal(posts.meta.pagination.next, page < first.meta.pagination.pages ? page + 1 : null);
        assert.equal(posts.meta.pagination.prev, page > 1 ? page - 1 : null);
        seen.push(...posts.map((p) => p.id));
    }
    assert.equal(seen.length, first.meta.pagination.total);
    assert.equal(new Set(seen).size, seen.length);
});

await check('orders and selects fields', async () => {
    const posts = await api.posts.browse({filter: 'tag:getting-started', order: 'title asc', fields: 'title,slug', limit: 'all'});
    assert.deepEqual(Object.keys(posts[0]).sort(), ['slug', 'title']);
    const titles = posts.map((p) => p.title);
    assert.deepEqual(titles, [...titles].sort((a, b) => a.localeCompare(b, 'en', {sensitivity: 'base'}) || (a < b ? -1 : 1)));
});

await check('keeps members-only posts out', async () => {
    await assert.rejects(api.posts.read({slug: 'sell'}), (error) => error.name === 'NotFoundError');
});

await check('lists pages, tags and authors, and reads the settings', async () => {
    const pages = await api.pages.browse({limit: 'all'});
    for (const slug of ['about', 'contact', 'privacy', 'contribute']) {
        assert.ok(pages.some((p) => p.slug === slug), `page ${slug}`);
    }
    const page = await api.pages.read({slug: 'about'});
    assert.equal(page.title, 'About this site');
    const tags = await api.tags.browse({include: 'count.posts', limit: 'all'});
    const started = tags.find((t) => t.slug === 'getting-started');
    assert.equal(started.name, 'Getting Started');
    assert.equal(started.count.posts, ghostPosts.length);
    const author = await api.authors.read({slug: 'ghost'});
    assert.equal(author.name, 'Ghost');
    const settings = await api.settings.browse();
    assert.equal(typeof settings.title, 'string');
});

await check('answers errors as Ghost does', async () => {
    const wrong = new GhostContentAPI({url: base.replace(/\/$/, ''), key: '0123456789abcdef0123456789', version: 'v5.0'});
    await assert.rejects(wrong.posts.browse(), (error) => error.name === 'UnauthorizedError');
    await assert.rejects(api.posts.browse({filter: 'nonsense:1'}), (error) => error.name === 'BadRequestError');
    await assert.rejects(api.posts.read({slug: 'no-such-post'}), (error) => error.name === 'NotFoundError');
});

console.log('ghost-client: ok');
