export { renderTable, type TableOptions } from './table';
export { renderJson } from './json';
export { renderJunit, AUDIT_NOTE, MAX_TEST_CASES, type JunitOptions } from './junit';
export { renderMarkdown, DEFAULT_MARKDOWN_LENGTH, type MarkdownOptions } from './markdown';
