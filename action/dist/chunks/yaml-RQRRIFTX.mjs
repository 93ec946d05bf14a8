import { createRequire as __modelregCreateRequire } from 'node:module'; const require = __modelregCreateRequire(import.meta.url);
import{a as d}from"./chunk-ILKXYEUM.mjs";import{d as a,e as b,f as c}from"./chunk-3CR5527F.mjs";import"./chunk-NOFE7CYK.mjs";export{a as DEFAULT_YAML_LIMITS,b as escapePointer,d as parseManifestYaml,c as positionOf};
