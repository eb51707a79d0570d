/**
 * Barrel flattening for the functions' first esbuild pass, as the source of a function `(fs, path, builtinModules)`
 * (Node's modules and the list of its built-ins) that returns an esbuild plugin: plain JavaScript, because the stack's
 * local bundling and the Docker fallback run the very same bundle script (`FUNCTION_BUNDLE_SCRIPT` in
 * ./function-bundling.ts), the latter with no TypeScript and no project module.
 *
 * Why: esbuild assigns whole files to chunks by import-statement reachability from each entry point, while tree shaking
 * is global over all of them (evanw/esbuild#2869, #3704). A file the cold path merely reaches through an SDK barrel (a
 * module that re-exports others, such as `@aws-sdk/core/protocols` or `@smithy/core/protocols`) lands in the cold
 * start's chunk whenever a lazy path (the S3 client for reports, STS, CodeBuild) makes it live: the gate's cold start
 * carried the XML and Query protocols, HTTP bindings, checksums and waiters so. The plugin makes each SDK module import
 * a name from the module that defines it instead of through the barrel, so the cold path no longer reaches what only
 * lazy paths use, and esbuild puts it in their chunks. Next.js's `optimizePackageImports` and
 * babel-plugin-transform-barrels do the same.
 *
 * Only for modules of `@aws-sdk/*` and `@smithy/*` (their `dist-es`, tsc's regular output), and only where the meaning
 * cannot change. A re-exported name (`export { a } from`, `export *`, or an imported binding exported again) is the very
 * binding of the module that defines it; a module is passed only when it is pure: free of side effects by its
 * package.json (`sideEffects: false`, under which esbuild already drops a module nothing uses), and so is every module
 * it reaches through its imports, however deep (Node's built-ins aside; a module that cannot be resolved or read counts
 * as having side effects). `@aws-sdk/core/client` re-exports endpoint functions that register themselves at load, so it
 * stays on the path of whoever imports from it. A name reached two ways through `export *` that leads to one binding
 * both ways is that binding, and is taken from where it is defined. Whatever is not understood with certainty stays as
 * written, losing only the optimisation: a namespace or default import, a name bound to two different definitions
 * through `export *` (no export at all, as ES has it: esbuild's own error then stands), an import cycle, a statement of
 * another form, a module whose exports are not all recognised (`export const a = 1, b = 2;` among them). A module that
 * defines a name itself (`@smithy/core/serde`'s `v4`) is imported as before. test/infra/sdk-barrels.test.ts holds the
 * cases.
 *
 * The rewrite keeps each statement on its lines (the same count of newlines), so the first pass's source maps still
 * point at the package's lines.
 */
export const SDK_BARRELS_PLUGIN = String.raw`function sdkBarrelsPlugin(fs, path, builtinModules) {
  const SDK_FILE = /[\\/]node_modules[\\/]@(?:aws-sdk|smithy)[\\/][^\\/]+[\\/]dist-es[\\/].+\.js$/;
  const BUILT_IN = new Set(builtinModules);
  // The statements that may open an ES module: tsc writes its imports first, so every match is a whole statement.
  // Groups: 1 a space or comment; 2-5 import/export { names } from "spec"; 6-7 export * from "spec"; 8-9 any other import.
  const HEAD = new RegExp([
    '(\\s+|\\/\\*[^]*?\\*\\/|\\/\\/[^\\n]*)',
    '(import|export)\\s*\\{([^}]*)\\}\\s*from\\s*(["\'])([^"\'\\n]+)\\4\\s*;?',
    'export\\s*\\*\\s*from\\s*(["\'])([^"\'\\n]+)\\6\\s*;?',
    'import\\s*(?:[\\w$]+\\s*,?\\s*)?(?:\\*\\s*as\\s*[\\w$]+|\\{[^}]*\\})?\\s*(?:from\\s*)?(["\'])([^"\'\\n]+)\\8\\s*;?',
  ].join('|'), 'y');
  const NAME = /^[A-Za-z_$][\w$]*$/;
  const NONE = 'none';

  /** The statements at the top of 'code' ({ start, end, kind: 'named'|'star'|'other', keyword, names, spec }) and where they end. */
  function head(code) {
    const statements = [];
    let end = 0, match;
    HEAD.lastIndex = 0;
    while (end < code.length && (match = HEAD.exec(code)) !== null) {
      const start = end;
      end = HEAD.lastIndex;
      if (match[1] !== undefined) continue;
      if (match[2] !== undefined) statements.push({ start, end, kind: 'named', keyword: match[2], names: specifiers(match[3]), spec: match[5] });
      else if (match[7] !== undefined) statements.push({ start, end, kind: 'star', spec: match[7] });
      else statements.push({ start, end, kind: 'other', spec: match[9] });
    }
    return { statements, end };
  }

  /** 'a, b as c' as [['a', 'a'], ['b', 'c']]; undefined for anything else (a string name, 'default'). */
  function specifiers(list) {
    const names = [];
    for (const part of list.split(',')) {
      if (part.trim() === '') continue;
      const words = part.trim().split(/\s+/);
      const [imported, local] = words.length === 1 ? [words[0], words[0]] : words.length === 3 && words[1] === 'as' ? [words[0], words[2]] : [];
      if (!NAME.test(imported ?? '') || !NAME.test(local) || imported === 'default' || local === 'default') return undefined;
      names.push([imported, local]);
    }
    return names;
  }

  /**
   * A module's exports as written: 'own' the names it defines, 'named' the names it re-exports (exported -> [spec,
   * name there], 'export { a } from' or an imported binding exported), 'stars' its 'export * from', 'deps' every module
   * it imports; null when a statement is not recognised, or a declaration not read completely (declaredName): then a
   * name this module exports may be missing from 'own', and whoever resolved it elsewhere could pick the wrong binding.
   */
  function parse(code) {
    const top = head(code);
    const own = new Set(), named = new Map(), imports = new Map(), stars = [], deps = [];
    for (const s of top.statements) {
      deps.push(s.spec);
      if (s.kind === 'star') stars.push(s.spec);
      else if (s.kind === 'named' && s.names !== undefined) for (const [imported, local] of s.names) (s.keyword === 'import' ? imports : named).set(local, [s.spec, imported]);
      else if (s.kind === 'named' && s.keyword === 'export') return null;
    }
    const rest = code.slice(top.end);
    if (/^import\s*[\w{*"']/m.test(rest)) return null;
    for (const { 0: line, index } of rest.matchAll(/^export\b.*/gm)) {
      let m;
      if (/^export (?:const|let|var)\b/.test(line)) {
        const name = declaredName(line, rest.slice(index + line.length));
        if (name === undefined) return null;
        own.add(name);
      } else if ((m = /^export (?:class|function\*?|async function\*?) ([A-Za-z_$][\w$]*)[^\w$]/.exec(line))) own.add(m[1]);
      else if ((m = /^export \* from (["'])([^"']+)\1;$/.exec(line))) stars.push(m[2]), deps.push(m[2]);
      else if ((m = /^export \{([^}]*)\} from (["'])([^"']+)\2;$/.exec(line)) && specifiers(m[1]) !== undefined) {
        for (const [imported, exported] of specifiers(m[1])) named.set(exported, [m[3], imported]);
        deps.push(m[3]);
      } else if ((m = /^export \{([^}]*)\};$/.exec(line)) && specifiers(m[1]) !== undefined) {
        for (const [local, exported] of specifiers(m[1])) imports.has(local) ? named.set(exported, imports.get(local)) : own.add(exported);
      } else if (/^export default\b/.test(line)) own.add('default');
      else return null;
    }
    return { own, named, stars, deps };
  }

  /**
   * The one name an 'export const|let|var' declaration defines, from its first line 'line' and the code 'after' it;
   * undefined unless that is certain. One declarator only: 'export const a = 1, z = 2;' defines z too. The declaration
   * ends at the first ';' outside brackets, strings, templates, comments and regular expressions, and no comma may come
   * before it outside them (a comma there separates declarators).
   */
  function declaredName(line, after) {
    const m = /^export (?:const|let|var) ([A-Za-z_$][\w$]*)(?=[\s=;])/.exec(line);
    return m !== null && endsAlone(line.slice(m[0].length) + after) ? m[1] : undefined;
  }

  // Where a '/' starts a regular expression rather than dividing: after one of these characters or words.
  const BEFORE_REGEX = /^(?:[(,=:[!&|?{};+\-*%<>~^]|return|typeof|instanceof|in|of|new|delete|void|throw|case|do|else|yield|await)$/;

  /**
   * Whether 'text' (a declaration after its name) reaches a ';' that ends it, outside brackets, strings, templates,
   * comments and regular expressions, with no comma before it outside them and every bracket closed in order.
   */
  function endsAlone(text) {
    let depth = 0, last = '=', i = 0;
    const substitutions = []; // the depth at each template substitution still open
    while (i < text.length) {
      const c = text[i];
      if (/\s/.test(c)) i++;
      else if (text.startsWith('//', i)) i = text.includes('\n', i) ? text.indexOf('\n', i) : text.length;
      else if (text.startsWith('/*', i)) {
        if (!text.includes('*/', i + 2)) return false;
        i = text.indexOf('*/', i + 2) + 2;
      } else if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        if (text[j] !== c) return false;
        i = j + 1, last = '0';
      } else if (c === '\x60' || (c === '}' && substitutions.length > 0 && substitutions[substitutions.length - 1] === depth)) {
        if (c === '}') substitutions.pop();
        let j = i + 1;
        while (j < text.length && text[j] !== '\x60' && !text.startsWith('$' + '{', j)) j += text[j] === '\\' ? 2 : 1;
        if (j >= text.length) return false;
        if (text[j] === '\x60') i = j + 1, last = '0';
        else substitutions.push(depth), i = j + 2, last = '(';
      } else if (c === '/' && BEFORE_REGEX.test(last)) {
        let j = i + 1, inClass = false;
        while (j < text.length && (text[j] !== '/' || inClass) && text[j] !== '\n') {
          if (text[j] === '[') inClass = true;
          else if (text[j] === ']') inClass = false;
          j += text[j] === '\\' ? 2 : 1;
        }
        if (text[j] !== '/') return false;
        for (j++; /[a-z]/.test(text[j] ?? ''); j++);
        i = j, last = '0';
      } else if (/[\w$]/.test(c)) {
        let j = i;
        while (j < text.length && /[\w$]/.test(text[j])) j++;
        last = text.slice(i, j), i = j;
      } else {
        if ('([{'.includes(c)) depth++;
        else if (')]}'.includes(c) && --depth < 0) return false;
        else if (c === ',' && depth === 0) return false;
        else if (c === ';' && depth === 0) return substitutions.length === 0;
        last = c, i++;
      }
    }
    return false;
  }

  return {
    name: 'sdk-barrels',
    setup(build) {
      const resolved = new Map(), modules = new Map(), imported = new Map(), pure = new Map(), knownPure = new Set();

      /** Where 'spec' leads from 'file': esbuild's own resolution (with the package's sideEffects), or null. */
      function resolveFrom(spec, file) {
        const key = path.dirname(file) + '\0' + spec;
        if (!resolved.has(key)) {
          const options = { kind: 'import-statement', resolveDir: path.dirname(file), importer: file };
          resolved.set(key, build.resolve(spec, options).then((result) => (result.errors.length === 0 ? result : null), () => null));
        }
        return resolved.get(key);
      }
      const isModule = (result) => result !== null && !result.external && result.namespace === 'file' && /\.m?js$/.test(result.path);

      function exportsOf(file) {
        if (!modules.has(file)) modules.set(file, fs.promises.readFile(file, 'utf8').then(parse, () => null));
        return modules.get(file);
      }

      /**
       * The modules 'target' imports (Node's built-ins aside) if loading it does nothing but define its exports by its
       * own package.json ('sideEffects: false') and every import of it is understood; null if not, or if it imports
       * what cannot be resolved or is not such a module (a package outside the bundle, a file of another kind).
       */
      function importsOfPure(target) {
        if (!imported.has(target.path)) {
          imported.set(target.path, (async () => {
            const info = isModule(target) && target.sideEffects === false ? await exportsOf(target.path) : null;
            if (info === null) return null;
            const deps = [];
            for (const dep of await Promise.all(info.deps.map((spec) => resolveFrom(spec, target.path)))) {
              if (dep !== null && dep.external && BUILT_IN.has(dep.path.replace(/^node:/, ''))) continue;
              if (!isModule(dep)) return null;
              deps.push(dep);
            }
            return deps;
          })());
        }
        return imported.get(target.path);
      }

      /**
       * Whether loading 'target' does nothing but define its exports, and so does every module it reaches, however
       * deep: then a bundle may leave it out when nothing of it is used, esbuild does, and so may this rewrite, which
       * takes names past it (and with it whatever it alone reaches, out of the path that imported through it). A module
       * met again (a cycle, or two ways to one module) is already being checked. Every module of a pure one is pure.
       */
      function isPure(target) {
        if (!pure.has(target.path)) {
          pure.set(target.path, (async () => {
            const seen = new Set([target.path]);
            for (let level = [target]; level.length > 0; ) {
              const next = [];
              for (const deps of await Promise.all(level.map(importsOfPure))) {
                if (deps === null) return false;
                for (const dep of deps) if (!seen.has(dep.path) && !knownPure.has(dep.path)) seen.add(dep.path), next.push(dep);
              }
              level = next;
            }
            for (const file of seen) knownPure.add(file);
            return true;
          })());
        }
        return pure.get(target.path);
      }

      /**
       * The module that defines the export 'name' of 'target' (a resolution), as { path, name }: 'target' itself when it
       * defines it or is not pure; NONE when it has no such export; null when that is not certain.
       */
      async function definition(target, name, seen) {
        if (!isModule(target) || seen.has(target.path)) return null;
        const info = await exportsOf(target.path);
        if (info === null) return null;
        seen = new Set(seen).add(target.path);
        if (info.own.has(name)) return { path: target.path, name };
        const here = { path: target.path, name };
        const through = await isPure(target);
        const named = info.named.get(name);
        if (named !== undefined) {
          if (!through) return here;
          return definition(await resolveFrom(named[0], target.path), named[1], seen);
        }
        const found = await fromStars(info.stars, target.path, name, seen);
        return found === null || found === NONE || through ? found : here;
      }

      /** The one definition of 'name' among the modules 'stars' leads to from 'file' (ES: an export * name found twice is no export). */
      async function fromStars(stars, file, name, seen) {
        let found = NONE;
        const all = await Promise.all(stars.map(async (spec) => definition(await resolveFrom(spec, file), name, seen)));
        for (const here of all) {
          if (here === null) return null;
          if (here === NONE) continue;
          if (found !== NONE && (found.path !== here.path || found.name !== here.name)) return null;
          found = here;
        }
        return found;
      }

      /** The statement 's' of 'file' importing from the modules that define its names, or undefined to leave it as written. */
      async function flattened(s, file) {
        if (s.kind !== 'named' || s.names === undefined || s.names.length === 0) return undefined;
        const target = await resolveFrom(s.spec, file);
        if (!isModule(target)) return undefined;
        const groups = new Map();
        const definitions = await Promise.all(s.names.map(([imported]) => definition(target, imported, new Set())));
        for (const [i, [, local]] of s.names.entries()) {
          const found = definitions[i];
          if (found === null || found === NONE || found.path === target.path || found.path === file) return undefined;
          if (!groups.has(found.path)) groups.set(found.path, []);
          groups.get(found.path).push(found.name === local ? local : found.name + ' as ' + local);
        }
        return [...groups].map(([from, names]) => s.keyword + ' { ' + names.join(', ') + ' } from ' + JSON.stringify(from) + ';').join(' ');
      }

      build.onLoad({ filter: SDK_FILE }, async (args) => {
        const code = await fs.promises.readFile(args.path, 'utf8');
        const statements = head(code).statements;
        const texts = await Promise.all(statements.map((s) => flattened(s, args.path)));
        let contents = '', at = 0;
        for (const [i, s] of statements.entries()) {
          const text = texts[i];
          if (text === undefined) continue;
          contents += code.slice(at, s.start) + text + '\n'.repeat(code.slice(s.start, s.end).split('\n').length - 1);
          at = s.end;
        }
        if (at === 0) return undefined;
        return { contents: contents + code.slice(at), loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}`;
