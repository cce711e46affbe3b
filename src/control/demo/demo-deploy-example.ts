/**
 * The one-line example the first start prints: a `node -e` script that signs `POST .../reinstall` with the demo
 * keys (read from the credentials file, so no secret is printed) and deploys the sample image on a demo server.
 * It shows the whole OVH signature in a few calls (GET /auth/time, then "$1$" + sha1 of AS+CK+METHOD+URL+BODY+TS).
 *
 * @example
 * ```ts
 * demoDeployExample({ credentialsPath: 'data/demo-credentials.json', serverName: 'ns1001.byoi.demo',
 *   imageUrl: 'http://127.0.0.1:8080/demo/images/sample-gpt.raw', sha256: 'b4df...' });
 * // "node -e 'const c=JSON.parse(...' "
 * ```
 */
export function demoDeployExample(input: { credentialsPath: string; serverName: string; imageUrl: string; sha256: string; caPath?: string }): string {
  const body = {
    operatingSystem: 'byoi_64',
    customizations: { imageURL: input.imageUrl, imageType: 'raw', imageCheckSum: input.sha256, imageCheckSumType: 'sha256', hostname: 'demo' },
  };
  const script =
    `const c=JSON.parse(require("fs").readFileSync(${JSON.stringify(input.credentialsPath)})),` +
    `u=c.apiUrl+${JSON.stringify(`/dedicated/server/${input.serverName}/reinstall`)},` +
    `b=${JSON.stringify(JSON.stringify(body))};` +
    'fetch(c.apiUrl+"/auth/time").then(r=>r.text()).then(t=>fetch(u,{method:"POST",body:b,headers:{"content-type":"application/json",' +
    '"x-ovh-application":c.applicationKey,"x-ovh-consumer":c.consumerKey,"x-ovh-timestamp":t,' +
    '"x-ovh-signature":"$1$"+require("crypto").createHash("sha1").update([c.applicationSecret,c.consumerKey,"POST",u,b,t].join("+")).digest("hex")}}))' +
    '.then(r=>r.text()).then(console.log)';
  const env = input.caPath === undefined ? '' : `NODE_EXTRA_CA_CERTS=${shellQuote(input.caPath)} `;
  return `${env}node -e ${shellQuote(script)}`;
}

/** Single-quotes a word for sh (a ' inside becomes '\''). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
