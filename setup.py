"""Packaging for coop_nb; every setting comes from settings.ini (nbdev 2 layout)."""
from configparser import ConfigParser
import setuptools

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

for key in 'version description keywords author author_email'.split():
    assert key in cfg, f'settings.ini is missing `{key}`'

licenses = {'apache2': 'Apache-2.0'}  # SPDX identifiers
# settings.ini's `status` is the classifier's own number (3 means '3 - Alpha')
statuses = {s.split(' - ')[0]: s for s in ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']}
py_versions = '3.10 3.11 3.12 3.13'.split()

# Requirements are space-separated; none of them may contain a space.
requirements = cfg.get('requirements', '').split()
dev_requirements = cfg.get('dev_requirements', '').split()
min_python = cfg['min_python']

setuptools.setup(
    name=cfg['lib_name'],
    license=licenses.get(cfg['license'].lower(), cfg['license']),
    classifiers=['Development Status :: ' + statuses[cfg['status'].strip()],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()]
                + [f'Programming Language :: Python :: {v}' for v in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    project_urls={'Documentation': cfg['doc_host'] + cfg['doc_baseurl'] + '/',
                  'Source': cfg['git_url'], 'Issues': cfg['git_url'] + '/issues'},
    # coop_nb/assets holds package data (the toy CLIP's config and checkpoint)
    packages=setuptools.find_namespace_packages(include=['coop_nb', 'coop_nb.*']),
    package_data={'coop_nb.assets': ['*.json', '*.pt']},
    include_package_data=True,
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={
        'console_scripts': cfg.get('console_scripts', '').split(),
        'coop_nb.backbones': cfg.get('backbones', '').split(),
        'nbdev': [f'{cfg.get("lib_path")}={cfg.get("lib_path")}._modidx:d'],
    },
    version=cfg['version'], description=cfg['description'], keywords=cfg['keywords'],
    author=cfg['author'], author_email=cfg['author_email'],
)
