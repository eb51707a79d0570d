import { InputError } from '../../../functions/core/errors';
import { launchFactsFromRequest } from '../../../functions/core/taskdef/launch';

const ORIGIN = 'from the RunTask request run.json';

describe('launchFactsFromRequest', () => {
  it('reads ECS Exec, the platform version and the public IP, each with its source', () => {
    const request = {
      cluster: 'prod',
      taskDefinition: 'web:3',
      launchType: 'FARGATE',
      enableExecuteCommand: true,
      platformVersion: '1.3.0',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
    };
    expect(launchFactsFromRequest(request, 'run.json', ORIGIN)).toEqual({
      execCommand: { value: true, source: ORIGIN },
      platformVersion: { value: '1.3.0', source: ORIGIN },
      publicIp: { value: true, source: ORIGIN },
    });
  });

  it('fills what the request leaves out with the API defaults: Exec off, LATEST, no public IP', () => {
    expect(launchFactsFromRequest('{"taskDefinition": "web:3"}', 'run.json', ORIGIN)).toEqual({
      execCommand: { value: false, source: ORIGIN },
      platformVersion: { value: 'LATEST', source: ORIGIN },
      publicIp: { value: false, source: ORIGIN },
    });
  });

  it('refuses a document that is not an object and a field of the wrong type, naming the file and path', () => {
    expect(() => launchFactsFromRequest([], 'run.json', ORIGIN)).toThrow(InputError);
    expect(() => launchFactsFromRequest({ networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'YES' } } }, 'run.json', ORIGIN)).toThrow(
      /run\.json.*networkConfiguration\.awsvpcConfiguration\.assignPublicIp/s,
    );
  });
});
