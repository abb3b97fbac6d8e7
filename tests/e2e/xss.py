"""An XSS corpus for rendering tests: each payload tries to set `window.__xss` or open a dialog."""

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "<svg/onload=window.__xss=1>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=alert(1)>",
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<a href="javascript:window.__xss=1">click</a>',
    "<body onload=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext></mtext><mglyph><style><img src=x onerror=window.__xss=1></style></mglyph></math>",
    "[click](javascript:window.__xss=1)",
    "{{ 7|add:7 }}{% debug %}",
    "<style>@import 'http://evil.example.com/x.css';</style>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1></video>",
]

# Markdown's own ways to smuggle a script into rendered text (descriptions, text lectures).
MARKDOWN_PAYLOADS = [
    "[reference][evil]\n\n[evil]: javascript:window.__xss=1",
    "<javascript:window.__xss=1>",
    "[entity](javascript&#58;window.__xss=1)",
    "[data](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3M9MTwvc2NyaXB0Pg==)",
    '[title](https://example.com "\\" onmouseover=window.__xss=1 x=\\"")',
    "![image](x onerror=window.__xss=1)",
    "```html\n<script>window.__xss=1</script>\n```",
]

# Markup a payload would have put into the page, had it been rendered as HTML instead of text:
# event handler attributes, script URLs, and elements that run or load things by themselves.
INJECTED_MARKUP = """() => {
    const found = [];
    for (const element of document.querySelectorAll("*")) {
        for (const attribute of element.attributes) {
            const url = /^(href|src|action|formaction|xlink:href|srcdoc)$/i.test(attribute.name);
            if (/^on/i.test(attribute.name) || (url && /^\\s*(javascript|vbscript|data):/i.test(attribute.value))) {
                found.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
            }
        }
    }
    const running = "main :is(script, style, iframe, object, embed, link, meta, base)";
    for (const element of document.querySelectorAll(running)) found.push(`<${element.localName}>`);
    return found;
}"""
