import { describe, expect, it } from 'vitest';
import { type ApiDoc, matchRoute, withoutRoutes, withRoute } from '../../../src/domain/api-route.js';

const doc = (routes: ApiDoc['routes']): ApiDoc => ({ namespace: 'ns', name: 'b', apiName: '/b', basePath: '/b', routes, updated: 0 });
const r = (relPath: string, operation: 'GET' | 'POST' = 'GET') => ({ relPath, operation, action: '/ns/a', responseType: 'json' as const });

describe('API route matching', () => {
  it('matches literal segments, captures {params}, prefers literal routes, and respects the verb', () => {
    const d = doc([r('/books/{isbn}'), r('/books/new'), r('/books', 'POST'), r('/')]);
    expect(matchRoute(d, 'GET', '/books/42')).toEqual({ route: r('/books/{isbn}'), params: { isbn: '42' } });
    expect(matchRoute(d, 'get', '/books/new')?.route).toEqual(r('/books/new'));
    expect(matchRoute(d, 'GET', '/books')).toBeUndefined();
    expect(matchRoute(d, 'POST', '/books/')?.route).toEqual(r('/books', 'POST'));
    expect(matchRoute(d, 'GET', '/')?.route).toEqual(r('/'));
    expect(matchRoute(d, 'GET', '/books/42/x')).toBeUndefined();
  });

  it('replaces a route of the same path and verb; deletes by path and verb', () => {
    const d = withRoute(doc([r('/a'), r('/a', 'POST')]), { ...r('/a'), action: '/ns/other' });
    expect(d.routes.map((x) => `${x.operation} ${x.relPath} ${x.action}`)).toEqual(['POST /a /ns/a', 'GET /a /ns/other']);
    expect(withoutRoutes(d, '/a', 'post').removed).toHaveLength(1);
    expect(withoutRoutes(d, '/a').kept).toHaveLength(0);
    expect(withoutRoutes(d, '/z').removed).toHaveLength(0);
  });
});
