// What a front-end developer writes against the types that openapi-typescript generates from
// openapi.json with its default options. Nothing here works around the contract: where the API can
// send null, the code handles null, and `tsc --strict` must accept it as it is.
// Usage: node dist/main.js BASE_URL   (the server's root, e.g. http://127.0.0.1:5080)
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];

// The generated types must say "may be null" wherever the API may send null; otherwise strict code
// that forgets the check compiles and then fails on real data. Each line below stops the compile
// when the contract types that property as never null.
type MayBeNull<T> = null extends T ? "may be null" : "typed never-null, but the API sends null here";
const nullableInContract = {
    "ArticleDto.image": "may be null" satisfies MayBeNull<Schemas["ArticleDto"]["image"]>,
    "ArticleDto.byline": "may be null" satisfies MayBeNull<Schemas["ArticleDto"]["byline"]>,
    "ArticleDto.publishedAt": "may be null" satisfies MayBeNull<Schemas["ArticleDto"]["publishedAt"]>,
    "ArticleListItem.image": "may be null" satisfies MayBeNull<Schemas["ArticleListItem"]["image"]>,
    "ArticleList.nextCursor": "may be null" satisfies MayBeNull<Schemas["ArticleList"]["nextCursor"]>,
    "BreadcrumbItem.slug": "may be null" satisfies MayBeNull<Schemas["BreadcrumbItem"]["slug"]>,
    "CategoryNode.parentId": "may be null" satisfies MayBeNull<Schemas["CategoryNode"]["parentId"]>,
};

// The part of Node's `process` this file uses; the rest is typed by the DOM library, as in a
// browser app (fetch, Response, console).
declare const process: { argv: string[]; exitCode?: number };

const SAMPLE_SLUG = "xi-jinping-holds-telephone-talks-with-president-donald-trump-of-the-us";

let failed = 0;

/** Runs one check and prints one line: what it read, or why it failed. */
async function check(what: string, run: () => Promise<[ok: boolean, detail: string]>): Promise<void> {
    try {
        const [ok, detail] = await run();
        if (ok) {
            console.log(`typescript: ${what}: ${detail}`);
            return;
        }
        failed++;
        console.log(`typescript: FAIL ${what}: ${detail}`);
    } catch (err) {
        failed++;
        console.log(`typescript: FAIL ${what}: ${describe(err)}`);
    }
}

function describe(err: unknown): string {
    const parts: string[] = [];
    for (let current = err; current !== undefined && current !== null; ) {
        parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
        current = current instanceof Error ? current.cause : undefined;
    }
    return parts.join(" <- ");
}

function unexpected(response: Response, error: { title?: string | null; detail?: string | null } | undefined): string {
    return `answered ${response.status} ${response.headers.get("content-type") ?? ""}: ${error?.title ?? ""} ${error?.detail ?? ""}`;
}

function crumbs(breadcrumb: Schemas["BreadcrumbItem"][]): string {
    return breadcrumb.map((step) => step.slug ?? `(${step.name})`).join(" > ");
}

function join(items: string[]): string {
    return items.length > 0 ? items.join(", ") : "none";
}

async function main(baseUrl: string): Promise<void> {
    const client = createClient<paths>({ baseUrl });
    console.log(`typescript: types: ${join(Object.keys(nullableInContract))} may be null`);

    await check("GET /v1/articles/{idOrSlug}", async () => {
        const { data, error, response } = await client.GET("/v1/articles/{idOrSlug}", {
            params: { path: { idOrSlug: SAMPLE_SLUG } },
        });
        if (!data) {
            return [false, unexpected(response, error)];
        }
        const title: string = data.title;
        const imageUrl: string | undefined = data.image?.url;
        const breadcrumb = data.category.breadcrumb;
        return [
            response.status === 200 && data.slug === SAMPLE_SLUG && typeof title === "string" && title.length > 0
                && Array.isArray(breadcrumb) && breadcrumb.length >= 2 && breadcrumb[0].slug === null
                && breadcrumb[breadcrumb.length - 1].slug === data.category.slug,
            `"${title}", image ${imageUrl ?? "none"}, byline ${data.byline ?? "none"}, published ${data.publishedAt ?? "never"}, `
                + `breadcrumb ${crumbs(breadcrumb)}, ${data.tags.length} tags`,
        ];
    });

    await check("GET /v1/articles?limit=5", async () => {
        const { data, error, response } = await client.GET("/v1/articles", { params: { query: { limit: 5 } } });
        if (!data) {
            return [false, unexpected(response, error)];
        }
        const first = data.items[0];
        return [
            response.status === 200 && Array.isArray(data.items) && data.items.length >= 1 && data.items.length <= 5
                && typeof first?.id === "number" && data.nextCursor !== undefined,
            `${data.items.length} items, first "${first?.title ?? "?"}" (image ${first?.image?.url ?? "none"}), `
                + `nextCursor ${data.nextCursor ?? "none"}`,
        ];
    });

    await check("GET /v1/categories", async () => {
        const { data, error, response } = await client.GET("/v1/categories");
        if (!data) {
            return [false, unexpected(response, error)];
        }
        const count = (nodes: Schemas["CategoryNode"][]): number =>
            nodes.reduce((n, node) => n + 1 + count(node.children), 0);
        return [
            response.status === 200 && data.items.length > 0 && data.items.every((node) => node.parentId === null),
            `${data.items.length} top-level, ${count(data.items)} in all: ${join(data.items.map((node) => node.slug))}`,
        ];
    });

    await check("GET /v1/categories/{slug}", async () => {
        const { data, error, response } = await client.GET("/v1/categories/{slug}", {
            params: { path: { slug: "visas" } },
        });
        if (!data) {
            return [false, unexpected(response, error)];
        }
        return [
            response.status === 200 && data.slug === "visas" && data.breadcrumb[0]?.slug === null
                && data.breadcrumb[data.breadcrumb.length - 1]?.slug === "visas",
            `${data.name}, parent ${data.parentId ?? "none"}, breadcrumb ${crumbs(data.breadcrumb)}, `
                + `children ${join(data.children.map((child) => child.slug))}`,
        ];
    });

    await check("GET /v1/articles/{idOrSlug} (unknown)", async () => {
        const { data, error, response } = await client.GET("/v1/articles/{idOrSlug}", {
            params: { path: { idOrSlug: "no-such-article" } },
        });
        return [
            data === undefined && response.status === 404 && error?.status === 404 && typeof error.title === "string",
            `${response.status}: ${error?.title} (${error?.detail ?? ""})`,
        ];
    });

    await check("GET /v1/categories/{slug} (unknown)", async () => {
        const { data, error, response } = await client.GET("/v1/categories/{slug}", {
            params: { path: { slug: "no-such-category" } },
        });
        return [
            data === undefined && response.status === 404 && error?.status === 404 && typeof error.title === "string",
            `${response.status}: ${error?.title} (${error?.detail ?? ""})`,
        ];
    });

    if (failed > 0) {
        console.log(`typescript: FAILED (${failed} check(s))`);
        process.exitCode = 1;
        return;
    }
    console.log("typescript: ok");
}

const baseUrl = process.argv[2];
if (!baseUrl) {
    console.error("usage: node dist/main.js BASE_URL");
    process.exitCode = 2;
} else {
    await main(baseUrl);
}
