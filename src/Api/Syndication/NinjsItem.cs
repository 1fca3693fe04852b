namespace Api.Syndication;

/// <summary>
/// An article as an IPTC ninjs 2.2 news item (http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json).
/// Members without a value are left out.
/// </summary>
/// <param name="Uri">Permanent id of the article (a tag URI); it never changes, whatever the edits.</param>
/// <param name="Standard">The standard this item follows: ninjs 2.2 and its schema.</param>
/// <param name="Type">Always <c>text</c>.</param>
/// <param name="Representationtype">Always <c>full</c>.</param>
/// <param name="Version">The article's version, incremented by every change.</param>
/// <param name="Firstcreated">When the article was created.</param>
/// <param name="Versioncreated">When this version was made (the article's last change).</param>
/// <param name="Embargoed">For editors' views of scheduled articles: the publication time.</param>
/// <param name="Pubstatus"><c>usable</c> for everything the public sees; editors' views of unpublished work say <c>withheld</c> or <c>canceled</c>.</param>
/// <param name="Language">BCP 47 language tag.</param>
/// <param name="Headlines">The headline (role <c>main</c>).</param>
/// <param name="Descriptions">The summary (role <c>summary</c>, plain text), when there is one.</param>
/// <param name="Bodies">The body as sanitized HTML and as plain text (role <c>main</c>).</param>
/// <param name="By">The byline: the free-text byline when there is one, else the authors' names.</param>
/// <param name="People">The authors, in byline order (<c>rel</c> <c>author</c>, <c>uri</c> their page on the site).</param>
/// <param name="Subjects">The categories of the article's breadcrumb (the one it is filed in with relevance 100) and its tags.</param>
/// <param name="Infosources">The originating organisation or agency, if any.</param>
/// <param name="Renditions">The article's page on the public site (<c>web</c>, text/html).</param>
/// <param name="Associations">The lead image (<c>featureimage</c>) and the other language versions (<c>translation</c>).</param>
/// <param name="Altids">Other ids of the article: numeric <c>id</c>, current <c>slug</c>, and <c>legacy</c> ids of earlier systems.</param>
public sealed record NinjsItem(
    string Uri,
    NinjsStandard Standard,
    string Type,
    string Representationtype,
    string Version,
    DateTime Firstcreated,
    DateTime Versioncreated,
    DateTime? Embargoed,
    string Pubstatus,
    string Language,
    IReadOnlyList<NinjsText> Headlines,
    IReadOnlyList<NinjsText>? Descriptions,
    IReadOnlyList<NinjsText> Bodies,
    string? By,
    IReadOnlyList<NinjsPerson>? People,
    IReadOnlyList<NinjsSubject> Subjects,
    IReadOnlyList<NinjsInfosource>? Infosources,
    IReadOnlyList<NinjsRendition> Renditions,
    IReadOnlyList<NinjsAssociation>? Associations,
    IReadOnlyList<NinjsAltId> Altids);

/// <summary>A person the item is about or by.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Rel">How the person relates to the item: <c>author</c>.</param>
/// <param name="Uri">The person's page on the public site.</param>
public sealed record NinjsPerson(string Name, string Rel, string Uri);

/// <summary>The standard a ninjs item follows.</summary>
/// <param name="Name">Always <c>ninjs</c>.</param>
/// <param name="Version">Always <c>2.2</c>.</param>
/// <param name="Schema">The JSON Schema the item validates against.</param>
public sealed record NinjsStandard(string Name, string Version, string Schema);

/// <summary>A headline, description or body.</summary>
/// <param name="Role">What the text is: <c>main</c>, <c>summary</c>, <c>alternative</c>.</param>
/// <param name="Contenttype">Media type of the value: text/plain or text/html.</param>
/// <param name="Value">The text.</param>
public sealed record NinjsText(string Role, string Contenttype, string Value);

/// <summary>A concept the article is about: a category or a tag.</summary>
/// <param name="Name">Display name.</param>
/// <param name="Rel"><c>category</c> (filed in), <c>broader-category</c> (an ancestor of it) or <c>tag</c>.</param>
/// <param name="Uri">The category's page on the public site (categories only).</param>
/// <param name="Literal">The slug.</param>
/// <param name="Creator">Who assigned it: <c>editor</c>.</param>
/// <param name="Relevance">100 for the category the article is filed in; absent for broader categories and tags.</param>
public sealed record NinjsSubject(string Name, string Rel, string? Uri, string Literal, string Creator, int? Relevance);

/// <summary>An organisation the content comes from.</summary>
/// <param name="Name">The source as credited.</param>
public sealed record NinjsInfosource(string Name);

/// <summary>A rendition of the item.</summary>
/// <param name="Name">What the rendition is: <c>web</c> for a page, <c>original</c> for an image file.</param>
/// <param name="Href">Where it is.</param>
/// <param name="Contenttype">Its media type, when known.</param>
/// <param name="Width">Width in pixels, for an image from the media library.</param>
/// <param name="Height">Height in pixels, for an image from the media library.</param>
public sealed record NinjsRendition(string Name, string Href, string? Contenttype, int? Width = null, int? Height = null);

/// <summary>An object associated with the article: its lead image or a translation.</summary>
/// <param name="Name"><c>featureimage</c> or <c>translation</c>.</param>
/// <param name="Uri">The image's URL, or the translation's page on the public site.</param>
/// <param name="Type"><c>picture</c> or <c>text</c>.</param>
/// <param name="Representationtype">Always <c>partial</c>: fetch the translation itself for the rest.</param>
/// <param name="Language">The translation's language.</param>
/// <param name="Descriptions">The image's alternative text, when there is one.</param>
/// <param name="Renditions">The image file or the translation's page.</param>
/// <param name="Altids">The translation's numeric id and slug.</param>
public sealed record NinjsAssociation(
    string Name,
    string Uri,
    string Type,
    string Representationtype,
    string? Language,
    IReadOnlyList<NinjsText>? Descriptions,
    IReadOnlyList<NinjsRendition>? Renditions,
    IReadOnlyList<NinjsAltId>? Altids);

/// <summary>Another id of the article.</summary>
/// <param name="Role"><c>id</c>, <c>slug</c> or <c>legacy</c>.</param>
/// <param name="Value">The id.</param>
public sealed record NinjsAltId(string Role, string Value);
