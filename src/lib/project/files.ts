/** The project's CloudFormation template, in the project folder. Its own module so that checking for a project loads no YAML parser. */
export const TEMPLATE_FILE = 'template.yaml'
