import t from 'tap'
import { clusterSigns, describeCluster } from '../../src/ops/doctor/cluster.js'

// What the doctor reads from the cookies Jira's side set: a balancer's affinity cookies by name,
// a JSESSIONID route suffix, and nothing for the cookies Jira sets itself.

const cases: ReadonlyArray<{ header: string, id?: string, cookies: string[], route?: string, says?: RegExp }> = [
  { header: 'JSESSIONID=0A1B', id: '0A1B', cookies: [] },
  { header: 'JSESSIONID=0A1B; atlassian.xsrf.token=B0-X|lin', id: '0A1B', cookies: [] },
  { header: 'seraph.rememberme.cookie=1; crowd.token_key=x', cookies: [] },
  { header: 'INGRESSCOOKIE=abc; JSESSIONID=0A1B', id: '0A1B', cookies: ['INGRESSCOOKIE'], says: /affinity cookie INGRESSCOOKIE \(ingress-nginx\) beside JSESSIONID\. The proxy keeps these cookies per session/ },
  { header: 'AWSALB=x; AWSALBCORS=x; JSESSIONID=1', id: '1', cookies: ['AWSALB', 'AWSALBCORS'], says: /affinity cookies AWSALB \(AWS, a new value on every answer\), AWSALBCORS \(AWS\)/ },
  { header: 'BIGipServerjira_pool=1.2.3; JSESSIONID=1', id: '1', cookies: ['BIGipServerjira_pool'], says: /BIGipServerjira_pool \(F5 BIG-IP\)/ },
  { header: 'lb=7', cookies: ['lb'], says: /set the cookie lb beside JSESSIONID \(not Jira's own: a load balancer's affinity cookie\)/ },
  { header: 'JSESSIONID=0A1B2C.node2', id: '0A1B2C.node2', cookies: [], route: '.node2', says: /JSESSIONID carries the route suffix \.node2 \(Tomcat's jvmRoute\), by which the balancer picks the node\. The proxy keeps the whole cookie per session/ },
  { header: 'ROUTEID=.2; JSESSIONID=0A.jira-b', id: '0A.jira-b', cookies: ['ROUTEID'], route: '.jira-b', says: /ROUTEID \(Apache httpd\) beside JSESSIONID; and JSESSIONID carries the route suffix \.jira-b/ },
  { header: '', cookies: [] }
]

for (const c of cases) {
  t.test(c.header === '' ? '(no cookies)' : c.header, async (t) => {
    const signs = clusterSigns(c.header, c.id)
    t.same(signs.affinityCookies, c.cookies)
    t.equal(signs.route, c.route)
    const line = describeCluster(signs)
    if (c.says === undefined) t.equal(line, undefined, 'no word of a cluster')
    else t.match(line, c.says)
    if (line !== undefined) t.notMatch(line, /=/, 'names only, never a value')
  })
}
