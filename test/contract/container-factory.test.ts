import { DockerContainerFactory } from '../../src/adapters/containers/docker/docker-container-factory.js';
import { ProcessContainerFactory } from '../../src/adapters/containers/process/process-container-factory.js';
import { silentLogger } from '../../src/ports/logger.js';
import { describeWith, nodejsImage, serviceUrl } from '../helpers/services.js';
import { containerFactoryContract } from './container-factory.contract.js';

containerFactoryContract('process', () => ({
  factory: new ProcessContainerFactory({ logger: silentLogger }),
  image: 'nodejs',
}));

describeWith(['docker'], 'docker', () => {
  containerFactoryContract('docker', () => ({
    factory: new DockerContainerFactory({
      socketPath: (serviceUrl('docker') ?? '').replace(/^unix:\/\//, ''),
      logger: silentLogger,
      invokerId: 'contract-test',
    }),
    image: nodejsImage(),
  }));
});
